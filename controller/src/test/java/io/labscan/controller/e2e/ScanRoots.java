package io.labscan.controller.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * What the lab machines' disks hold, under each agent's scan root: harmless bytes only. Every
 * machine has ClamAV with fresh definitions (so verdicts hinge on the worm, not on a missing
 * antivirus); Linda's has her mailbox; Harold's his, to which a copy of the worm's mail may be
 * added; Linda's gets the Klez file.
 */
final class ScanRoots {
  private static final DateTimeFormatter CVD_TIME =
      DateTimeFormatter.ofPattern("dd MMM yyyy HH-mm Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private ScanRoots() {}

  /** ClamAV's daily database as freshclam leaves it: a 512-byte header built {@code builtAt}. */
  static void freshClamAv(Path root, Instant builtAt) throws IOException {
    String header = "ClamAV-VDB:" + CVD_TIME.format(builtAt) + ":27480:2071394:90:"
        + "0f6a3c2c1d9e8b7a6f5e4d3c2b1a0f9e:test-signature:labscan-ci:" + builtAt.getEpochSecond();
    Path db = root.resolve("var/lib/clamav/daily.cld");
    Files.createDirectories(db.getParent());
    Files.writeString(db, String.format(Locale.ROOT, "%-512s", header), StandardCharsets.US_ASCII);
  }

  /** A user's mbox under {@code home/USER/mail/inbox} holding one ordinary message. */
  static void mailbox(Path root, String user, String from, String to, String cc, String subject) throws IOException {
    Path inbox = root.resolve("home").resolve(user).resolve("mail/inbox");
    Files.createDirectories(inbox.getParent());
    Files.writeString(inbox, """
        From %1$s Mon Nov 23 09:12:00 2026
        From: %1$s
        To: %2$s
        Cc: %3$s
        Subject: %4$s
        Date: Mon, 23 Nov 2026 09:12:00 +0000
        Message-ID: <%5$s@labscan.test>

        See you on Thursday.

        """.formatted(from, to, cc, subject, user + "-" + subject.replace(' ', '-')), StandardCharsets.US_ASCII);
  }

  /**
   * Appends {@code message} (a delivered message file) to the user's mbox under
   * {@code home/USER/mail/inbox}, as the user's mail client files received mail: a {@code From }
   * separator line, then the message with body lines starting {@code From } quoted (mboxrd).
   */
  static Path receivedMail(Path root, String user, String envelopeFrom, Path message) throws IOException {
    Path inbox = root.resolve("home").resolve(user).resolve("mail/inbox");
    Files.createDirectories(inbox.getParent());
    String text = Files.readString(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    String quoted = text.replaceAll("(?m)^(>*From )", ">$1");
    String entry = "From " + envelopeFrom + " Mon Nov 23 09:40:00 2026\n" + quoted
        + (quoted.endsWith("\n") ? "" : "\n") + "\n";
    Files.writeString(inbox, entry, StandardCharsets.ISO_8859_1, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    return inbox;
  }

  /** Klez's copy of itself in the Windows system folder, as the artifact check knows it: harmless text here. */
  static Path klezArtifact(Path root) throws IOException {
    Path file = root.resolve("WINDOWS/SYSTEM32/WINKABCD.EXE");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "harmless test bytes standing in for the Klez worm's copy\n", StandardCharsets.US_ASCII);
    return file;
  }
}
