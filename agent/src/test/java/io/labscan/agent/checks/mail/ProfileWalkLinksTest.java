package io.labscan.agent.checks.mail;

import static io.labscan.agent.checks.harvest.HarvestCheckAccess.harvestDigestOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.agent.checks.harvest.HarvestCheck;
import io.labscan.proto.v1.Report;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mail and harvest checks read a user's profile as root: no link the user puts at any
 * level of a path, before the walk or while it runs, may make them read anything else.
 * Real symbolic links, real swaps (made from the walk's own callback, so the race is hit
 * every time, not by luck). Linux: the native walker.
 */
class ProfileWalkLinksTest {
  @TempDir Path tmp;

  private final Map<String, Long> skipped = new HashMap<>();
  private final ScanCounters counters = new ScanCounters() {
    @Override
    public void scanned(long files, long bytes) {}

    @Override
    public void skipped(String reason, long count) {
      skipped.merge(reason, count, Long::sum);
    }
  };

  @BeforeEach
  void nativeWalker() {
    assumeTrue(TreeWalker.forCurrentPlatform().name().equals("linux-getdents"),
        "the descriptor walker (Linux x86-64 or AArch64)");
  }

  private Path root() {
    return tmp.resolve("root");
  }

  private Path write(String relative, String text) {
    return MailFixtures.write(root().resolve(relative), text.getBytes(StandardCharsets.US_ASCII));
  }

  /** Root's own secrets, inside the scanned root (so no root guard stops a path walk). */
  private Path secrets() {
    write("root/.secret/inbox.eml", "From: root@lab.example.edu\nSubject: root only\n\nsecret\n");
    return root().resolve("root/.secret");
  }

  private static String read(ProfileFile file) {
    try (InputStream in = file.open()) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aLinkAtAnIntermediateFolderOfAProfileIsNotFollowed() throws Exception {
    Path secret = secrets();
    Files.createDirectories(root().resolve("home/alice"));
    Files.createSymbolicLink(root().resolve("home/alice/.thunderbird"), secret);

    Map<String, String> seen = new LinkedHashMap<>();
    new ProfileWalker(32).walk(root(), f -> seen.put(f.relativePath(), read(f)), counters);

    assertThat(seen).isEmpty();
    assertThat(skipped).containsEntry(SkipReasons.LINK_NOT_FOLLOWED, 1L);
  }

  @Test
  void aFolderSwappedForALinkAfterItWasListedIsNotEntered() throws Exception {
    Path secret = secrets();
    write("home/alice/notes.txt", "alice's notes");
    write("home/alice/.thunderbird/x1y2.default/abook.eml", "Subject: alice's own\n");
    Path thunderbird = root().resolve("home/alice/.thunderbird");

    Map<String, String> seen = new LinkedHashMap<>();
    new ProfileWalker(32).walk(root(), f -> {
      if (f.relativePath().equals("home/alice/notes.txt")) {
        // The walk has listed home/alice and will open .thunderbird next: swap it now.
        try {
          Files.move(thunderbird, root().resolve("home/alice/.thunderbird.old"));
          Files.createSymbolicLink(thunderbird, secret);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      seen.put(f.relativePath(), read(f));
    }, counters);

    assertThat(seen).containsOnlyKeys("home/alice/notes.txt");
    assertThat(seen.values()).noneMatch(text -> text.contains("secret"));
    assertThat(skipped).containsEntry(SkipReasons.UNREADABLE, 1L);
  }

  @Test
  void aFolderSwappedForALinkWhileItsFilesAreReadStillReadsTheRealFolder() throws Exception {
    Path secret = secrets();
    write("root/.secret/b-second.eml", "Subject: root's second\n\nsecret\n");
    write("home/alice/mail/a-first.eml", "Subject: first\n\nalice\n");
    write("home/alice/mail/b-second.eml", "Subject: second\n\nalice\n");
    Path mail = root().resolve("home/alice/mail");

    Map<String, String> seen = new LinkedHashMap<>();
    boolean[] swapped = {false};
    new ProfileWalker(32).walk(root(), f -> {
      seen.put(f.relativePath(), read(f));
      if (!swapped[0]) {
        // The walk holds home/alice/mail open; its path now leads to root's folder.
        try {
          Files.move(mail, root().resolve("home/alice/mail.old"));
          Files.createSymbolicLink(mail, secret);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        swapped[0] = true;
      }
    }, counters);

    assertThat(seen).hasSize(2).allSatisfy((path, text) -> assertThat(text).contains("alice")
        .doesNotContain("secret"));
  }

  @Test
  void anAddressBookBehindALinkedThunderbirdFolderIsNotHarvested() throws Exception {
    Files.createDirectories(root().resolve("root/.thunderbird/x1y2.default"));
    io.labscan.agent.checks.harvest.HarvestCheckAccess.thunderbirdBook(
        root().resolve("root/.thunderbird/x1y2.default/abook.sqlite"), "root@lab.example.edu");
    Files.createDirectories(root().resolve("home/alice"));
    Files.createSymbolicLink(root().resolve("home/alice/.thunderbird"),
        root().resolve("root/.thunderbird"));
    write("home/alice/contacts.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:alice@lab.example.edu\r\nEND:VCARD\r\n");

    Report report = ScanHarness.scanOk(new HarvestCheck(), root(), tmp.resolve("state"));

    assertThat(report.getHarvest().getDigestsList())
        .containsExactly(harvestDigestOf("alice@lab.example.edu"));
    assertThat(report.getScan().getSkippedMap()).containsEntry(SkipReasons.LINK_NOT_FOLLOWED, 1L);
  }
}
