package io.labscan.agent.checks.mail;

import static io.labscan.agent.checks.mail.MailFixtures.EICAR;
import static io.labscan.agent.checks.mail.ScanHarness.scanOk;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.ScanKind;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailCheckTest {
  @TempDir Path tmp;

  private Path root() {
    return tmp.resolve("root");
  }

  private Path state() {
    return tmp.resolve("state");
  }

  private Report scan() {
    return scanOk(new MailCheck(), root(), state());
  }

  private static List<String> ruleIds(Report report) {
    return report.getFindingsList().stream().map(ArtifactFinding::getRuleId).toList();
  }

  @Test
  void ms01020MessageIsReportedWithMessageIdDatePartNameAndFileHash() throws Exception {
    Path eml = MailFixtures.writeEml(root().resolve("home/harold/mail/saved.eml"),
        MailFixtures.ms01020("<klez-1@lab.example.edu>", "Re: lab schedule"));

    Report report = scan();

    assertThat(report.getFindingsList()).singleElement().satisfies(f -> {
      assertThat(f.getRuleId()).isEqualTo("mail.ms01-020");
      assertThat(f.getRuleKind()).isEqualTo(RuleKind.RULE_KIND_MAIL);
      assertThat(f.getPath()).isEqualTo("home/harold/mail/saved.eml");
      assertThat(f.getSize()).isEqualTo(Files.size(eml));
      assertThat(f.getSha256()).isEqualTo(sha256(Files.readAllBytes(eml)));
      assertThat(f.getMail().getMessageId()).isEqualTo("<klez-1@lab.example.edu>");
      assertThat(Timestamps.toMillis(f.getMail().getDate()))
          .isEqualTo(MailFixtures.SENT.toEpochMilli());
      assertThat(f.getMail().getPartName()).isEqualTo("readme.exe");
      assertThat(f.getMail().getSubject()).isEqualTo("Re: lab schedule");
      assertThat(f.getDetail()).contains("audio/x-wav", "readme.exe");
      assertThat(f.getRuleSetVersion()).isNotEmpty();
    });
  }

  @Test
  void fixtureReallyUsesQuotedPrintableIframe() {
    // Guards the test above: the cid reference must reach the check QP-encoded.
    String wire = new String(MailFixtures.bytes(MailFixtures.ms01020("<a@b>", "x")),
        StandardCharsets.US_ASCII);

    assertThat(wire).contains("src=3Dcid:").contains("Content-Type: audio/x-wav; name=readme.exe");
  }

  @Test
  void ms01020WithAudioMidiAndScreenSaverNameIsReported() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/midi.eml"),
        MailFixtures.iframeCarrier("<klez-2@x>", "Re: lab schedule", "audio/x-midi",
            "setup.scr"));

    assertThat(ruleIds(scan())).containsExactly("mail.ms01-020");
  }

  @Test
  void handWrittenKlezMessageWithMalformedNameAndQuotedCidIsReported() {
    // As a worm writes it: unbalanced quote in name=, src=3D"cid:..." split by a soft break.
    String raw = """
        From: "Lab Admin" <admin@lab.example.edu>\r
        To: harold@lab.example.edu\r
        Subject: Worm Klez.E immunity\r
        Message-ID: <worm-3@lab.example.edu>\r
        Date: Wed, 17 Apr 2002 11:30:00 +0200\r
        MIME-Version: 1.0\r
        Content-Type: multipart/alternative;\r
        \tboundary=--JWX8z6p4\r
        \r
        ----JWX8z6p4\r
        Content-Type: text/html;\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        <HTML><HEAD></HEAD><BODY>\r
        <IFRAME   SRC=3D"cid:H0bYyWrR5r" =\r
        height=3D0 width=3D0></IFRAME></BODY></HTML>\r
        ----JWX8z6p4\r
        Content-Type: audio/x-wav;\r
        \tname="immunity.exe\r
        Content-Transfer-Encoding: base64\r
        Content-ID: <H0bYyWrR5r>\r
        \r
        WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNU\r
        LUZJTEUhJEgrSCo=\r
        ----JWX8z6p4--\r
        """;
    MailFixtures.write(root().resolve("home/harold/mail/raw.eml"),
        raw.getBytes(StandardCharsets.US_ASCII));

    Report report = scan();

    assertThat(ruleIds(report)).containsExactlyInAnyOrder("mail.ms01-020", "mail.klez.subject");
    assertThat(report.getFindings(0).getMail().getPartName()).isEqualTo("immunity.exe");
  }

  @Test
  void realWaveFileFramedByCidIsNotReported() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/song.eml"),
        MailFixtures.framedSong("<song@lab.example.edu>"));

    assertThat(scan().getFindingsList()).isEmpty();
  }

  @Test
  void newsletterFramingAWebPageIsNotReported() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/news.eml"),
        MailFixtures.newsletter("<news@lab.example.edu>"));

    assertThat(scan().getFindingsList()).isEmpty();
  }

  @Test
  void doubleExtensionAttachmentIsReportedUnderItsOwnRule() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/photo.eml"),
        MailFixtures.withAttachment("<photo@x>", "holiday", "photo.jpg.exe",
            "application/octet-stream", EICAR));

    Report report = scan();

    assertThat(ruleIds(report)).containsExactly("mail.attachment.double-extension");
    assertThat(report.getFindings(0).getMail().getPartName()).isEqualTo("photo.jpg.exe");
  }

  @Test
  void plainExecutableAttachmentIsReportedUnderTheLowerSeverityRule() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/tool.eml"),
        MailFixtures.withAttachment("<tool@x>", "the tool you asked for", "putty.exe",
            "application/octet-stream", EICAR));

    assertThat(ruleIds(scan())).containsExactly("mail.attachment.executable");
  }

  @Test
  void klezSubjectWithExecutableAttachmentIsReported() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/patch.eml"),
        MailFixtures.withAttachment("<patch@x>", "a WinXP patch", "patch.pif",
            "application/octet-stream", EICAR));

    Report report = scan();

    assertThat(ruleIds(report))
        .containsExactlyInAnyOrder("mail.attachment.executable", "mail.klez.subject");
    assertThat(report.getFindingsList())
        .filteredOn(f -> f.getRuleId().equals("mail.klez.subject"))
        .singleElement()
        .satisfies(f -> {
          assertThat(f.getMail().getSubject()).isEqualTo("a WinXP patch");
          assertThat(f.getMail().getPartName()).isEqualTo("patch.pif");
        });
  }

  @Test
  void klezSubjectWithoutAttachmentIsNotReported() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/notice.eml"),
        MailFixtures.plain("<notice@x>", "meeting notice", "Room 4.12 at ten."));

    assertThat(scan().getFindingsList()).isEmpty();
  }

  @Test
  void klezSubjectWithDocumentAttachmentIsNotReported() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/notice.eml"),
        MailFixtures.withAttachment("<notice@x>", "meeting notice", "agenda.txt", "text/plain",
            "1. budget".getBytes(StandardCharsets.US_ASCII)));

    assertThat(scan().getFindingsList()).isEmpty();
  }

  @Test
  void mboxWithSeveralMessagesNamesTheInfectedOneAndHashesOnlyIt() throws Exception {
    MimeMessage infected = MailFixtures.ms01020("<infected@lab.example.edu>", "Re: lab schedule");
    Path mbox = MailFixtures.writeMbox(root().resolve("home/harold/mail/inbox"),
        MailFixtures.plain("<first@x>", "hello", "From the desk of Alice:\nhi\n"),
        infected,
        MailFixtures.plain("<last@x>", "bye", "cheers"));
    byte[] infectedBytes = MailFixtures.unixBytes(infected);

    Report report = scan();

    assertThat(report.getFindingsList()).singleElement().satisfies(f -> {
      assertThat(f.getMail().getMessageId()).isEqualTo("<infected@lab.example.edu>");
      assertThat(f.getPath()).isEqualTo("home/harold/mail/inbox");
      assertThat(f.getSize()).isEqualTo(infectedBytes.length);
      assertThat(f.getSha256()).isEqualTo(sha256(infectedBytes));
      assertThat(f.getDetail()).contains("message 2");
    });
    assertThat(report.getScan().getBytesScanned()).isEqualTo(Files.size(mbox));
  }

  @Test
  void thunderbirdMboxInWindowsProfileIsScanned() {
    MailFixtures.writeMbox(root().resolve(
            "Users/harold/AppData/Roaming/Thunderbird/Profiles/x1y2z3.default/Mail/"
                + "Local Folders/Inbox"),
        MailFixtures.ms01020("<tb@x>", "Re: lab schedule"));

    assertThat(scan().getFindingsList()).singleElement()
        .satisfies(f -> assertThat(f.getPath()).isEqualTo(
            "Users/harold/AppData/Roaming/Thunderbird/Profiles/x1y2z3.default/Mail/"
                + "Local Folders/Inbox"));
  }

  @Test
  void appleMailEmlxOnAMacIsScanned() throws Exception {
    Path emlx = MailFixtures.writeEmlx(root().resolve("Users/harold/Library/Mail/V10/"
            + "5C2B9E0E-1B7A-4C61-9B6A-0F3A5D2E7C11/INBOX.mbox/"
            + "8E3F2A10-6D4B-4F0E-A1C2-3B4D5E6F7A8B/Data/Messages/4211.emlx"),
        MailFixtures.ms01020("<mac@lab.example.edu>", "Re: lab schedule"));

    Report report = scan();

    assertThat(report.getFindingsList()).singleElement().satisfies(f -> {
      assertThat(f.getRuleId()).isEqualTo("mail.ms01-020");
      assertThat(f.getPath()).endsWith("Data/Messages/4211.emlx").startsWith("Users/harold/");
      assertThat(f.getMail().getMessageId()).isEqualTo("<mac@lab.example.edu>");
      assertThat(f.getSha256()).isEqualTo(sha256(Files.readAllBytes(emlx)));
    });
  }

  @Test
  void outlookExpressDbxUnderUpperCaseDocumentsAndSettingsIsScanned() {
    MailFixtures.writeDbx(root().resolve("DOCUMENTS AND SETTINGS/harold/Local Settings/"
            + "Application Data/Identities/{3F2504E0-4F89-11D3-9A0C-0305E82C3301}/Microsoft/"
            + "Outlook Express/Inbox.dbx"),
        MailFixtures.plain("<clean@x>", "minutes", "x".repeat(3000)),
        MailFixtures.ms01020("<oe@lab.example.edu>", "Re: lab schedule"));

    Report report = scan();

    assertThat(report.getFindingsList()).singleElement().satisfies(f -> {
      assertThat(f.getMail().getMessageId()).isEqualTo("<oe@lab.example.edu>");
      assertThat(f.getPath()).startsWith("DOCUMENTS AND SETTINGS/harold/").endsWith("Inbox.dbx");
      assertThat(f.getDetail()).contains("message 2");
    });
  }

  @Test
  void maildirMessageIsScanned() {
    MailFixtures.writeMaildir(root().resolve("home/harold/Maildir"),
        MailFixtures.withAttachment("<md@x>", "pics", "readme.txt.pif",
            "application/octet-stream", EICAR));

    assertThat(scan().getFindingsList()).singleElement()
        .satisfies(f -> assertThat(f.getPath()).startsWith("home/harold/Maildir/cur/"));
  }

  @Test
  void spoolMailboxIsScanned() {
    MailFixtures.writeMbox(root().resolve("var/mail/harold"),
        MailFixtures.ms01020("<spool@x>", "Re: lab schedule"));

    assertThat(scan().getFindingsList()).singleElement()
        .satisfies(f -> assertThat(f.getPath()).isEqualTo("var/mail/harold"));
  }

  @Test
  void mailOutsideUserProfilesIsNotRead() {
    MailFixtures.writeEml(root().resolve("srv/archive/klez.eml"),
        MailFixtures.ms01020("<srv@x>", "x"));

    assertThat(scan().getFindingsList()).isEmpty();
  }

  @Test
  void linkToMailOutsideTheRootIsNotFollowedAndIsCounted() throws Exception {
    Path outside = MailFixtures.writeEml(tmp.resolve("outside/klez.eml"),
        MailFixtures.ms01020("<outside@x>", "x"));
    Path link = root().resolve("home/harold/mail/link.eml");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, outside);

    Report report = scan();

    assertThat(report.getFindingsList()).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("link-not-followed", 1L);
  }

  @Test
  void linkInsideAProfileIsNotFollowedEvenToMailInsideTheRoot() throws Exception {
    Path elsewhere = MailFixtures.writeEml(root().resolve("srv/archive/klez.eml"),
        MailFixtures.ms01020("<archived@x>", "x"));
    Path link = root().resolve("home/harold/mail/link.eml");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, elsewhere);

    Report report = scan();

    assertThat(report.getFindingsList()).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("link-not-followed", 1L);
  }

  @Test
  void linkedProfileFolderOutsideTheRootIsNotWalked() throws Exception {
    MailFixtures.writeEml(tmp.resolve("elsewhere/harold/mail/klez.eml"),
        MailFixtures.ms01020("<elsewhere@x>", "x"));
    Files.createDirectories(root().resolve("home"));
    Files.createSymbolicLink(root().resolve("home/harold"), tmp.resolve("elsewhere/harold"));

    Report report = scan();

    assertThat(report.getFindingsList()).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("link-outside-root", 1L);
  }

  @Test
  void messageOverTheSizeLimitIsSkippedAndCounted() {
    MailFixtures.writeEml(root().resolve("home/harold/mail/big.eml"),
        MailFixtures.withAttachment("<big@x>", "big", "big.exe", "application/octet-stream",
            new byte[64 * 1024]));

    Report report = scanOk(new MailCheck(), root(), state(),
        ScanHarness.policyWithMaxFileSize(16 * 1024));

    assertThat(report.getFindingsList()).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("too-large", 1L);
  }

  @Test
  void oversizeMessageInAnMboxDoesNotHideTheSmallInfectedOneAfterIt() {
    MailFixtures.writeMbox(root().resolve("home/harold/mail/inbox"),
        MailFixtures.withAttachment("<big@x>", "big", "data.bin", "application/octet-stream",
            new byte[64 * 1024]),
        MailFixtures.ms01020("<small@x>", "Re: lab schedule"));

    Report report = scanOk(new MailCheck(), root(), state(),
        ScanHarness.policyWithMaxFileSize(16 * 1024));

    assertThat(report.getFindingsList()).singleElement()
        .satisfies(f -> assertThat(f.getMail().getMessageId()).isEqualTo("<small@x>"));
    assertThat(report.getScan().getSkippedMap()).containsEntry("too-large", 1L);
  }

  @Test
  void garbageStoresDoNotFailTheCheckAndAreCounted() throws IOException {
    byte[] noise = new byte[256 * 1024];
    new Random(42).nextBytes(noise);
    byte[] fakeMbox = new byte[noise.length + 5];
    System.arraycopy("From ".getBytes(StandardCharsets.US_ASCII), 0, fakeMbox, 0, 5);
    System.arraycopy(noise, 0, fakeMbox, 5, noise.length);
    MailFixtures.write(root().resolve("home/harold/mail/Inbox"), fakeMbox);
    MailFixtures.write(root().resolve("home/harold/mail/noise.eml"), noise);
    MailFixtures.write(root().resolve("home/harold/mail/noise.emlx"), noise);
    MailFixtures.write(root().resolve("home/harold/mail/noise.dbx"), noise);
    MailFixtures.writeEml(root().resolve("home/harold/mail/klez.eml"),
        MailFixtures.ms01020("<still-found@x>", "x"));

    Report report = scan();

    assertThat(report.getFindingsList()).singleElement()
        .satisfies(f -> assertThat(f.getMail().getMessageId()).isEqualTo("<still-found@x>"));
    assertThat(report.getScan().getSkippedMap()).containsEntry("malformed-store", 2L);
    assertThat(report.getScan().getFilesScanned()).isEqualTo(5);
  }

  @Test
  void deeplyNestedMultipartsAreCutAtTheDepthLimitAndCounted() {
    StringBuilder raw = new StringBuilder("Message-ID: <deep@x>\r\nMIME-Version: 1.0\r\n");
    int depth = MailLimits.DEFAULT_MIME_DEPTH + 4;
    for (int i = 0; i < depth; i++) {
      raw.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\r\n\r\n--b")
          .append(i).append("\r\n");
    }
    raw.append("Content-Type: text/plain\r\n\r\nbottom\r\n");
    for (int i = depth - 1; i >= 0; i--) {
      raw.append("--b").append(i).append("--\r\n");
    }
    MailFixtures.write(root().resolve("home/harold/mail/deep.eml"),
        raw.toString().getBytes(StandardCharsets.US_ASCII));

    Report report = scan();

    assertThat(report.getFindingsList()).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("mime-truncated", 1L);
  }

  @Test
  void multipartWithMorePartsThanTheBudgetStillShowsItsFirstParts() {
    StringBuilder raw = new StringBuilder("""
        Message-ID: <wide@x>\r
        Subject: Re: lab schedule\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary=w\r
        \r
        --w\r
        Content-Type: application/octet-stream; name=first.pif\r
        \r
        x\r
        """);
    for (int i = 0; i < MailLimits.DEFAULT_PARTS_PER_MESSAGE + 10; i++) {
      raw.append("--w\r\n\r\n\r\n");
    }
    raw.append("--w--\r\n");
    MailFixtures.write(root().resolve("home/harold/mail/wide.eml"),
        raw.toString().getBytes(StandardCharsets.US_ASCII));

    Report report = scan();

    assertThat(ruleIds(report)).containsExactly("mail.attachment.executable");
    assertThat(report.getScan().getSkippedMap()).containsEntry("mime-truncated", 1L);
  }

  @Test
  void runsOnlyInFullScans() {
    MailCheck check = new MailCheck();

    assertThat(check.name()).isEqualTo("mail");
    assertThat(check.appliesTo(ScanPlan.full("cli"))).isTrue();
    assertThat(check.appliesTo(new ScanPlan(ScanKind.SCAN_KIND_QUICK, "cli"))).isFalse();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
