package io.labscan.agent.checks.harvest;

import static io.labscan.agent.checks.harvest.HarvestFixtures.HAROLD;
import static io.labscan.agent.checks.harvest.HarvestFixtures.HAROLD_AS_WRITTEN;
import static io.labscan.agent.checks.mail.ScanHarness.FLEET_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.mail.MailFixtures;
import io.labscan.agent.checks.mail.ScanHarness;
import io.labscan.contract.harvest.AddressDigest;
import io.labscan.proto.v1.HarvestDigests;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HarvestCheckTest {
  private static final ByteString HAROLD_DIGEST =
      ByteString.copyFrom(AddressDigest.digest(FLEET_KEY, HAROLD));

  @TempDir Path tmp;

  private Path root() {
    return tmp.resolve("root");
  }

  private Path state() {
    return tmp.resolve("state");
  }

  private Report scan() {
    return ScanHarness.scanOk(new HarvestCheck(), root(), state());
  }

  private HarvestDigests harvest() {
    Report report = scan();
    assertThat(report.hasHarvest()).isTrue();
    return report.getHarvest();
  }

  @Test
  void addressFromHeaderVCardAndHtmlIsReportedOnceAsItsDigestOnly() {
    MailFixtures.writeMbox(root().resolve("home/harold/mail/inbox"),
        HarvestFixtures.messageToHarold());
    HarvestFixtures.vcard(root().resolve("home/harold/contacts.vcf"), HAROLD_AS_WRITTEN);
    HarvestFixtures.html(root().resolve("home/harold/public_html/index.html"),
        HAROLD_AS_WRITTEN);

    Report report = scan();

    HarvestDigests harvest = report.getHarvest();
    assertThat(harvest.getKeyId()).isEqualTo(ScanHarness.FLEET_KEY_ID);
    assertThat(harvest.getDigestsList()).containsOnlyOnce(HAROLD_DIGEST).doesNotHaveDuplicates();
    // Harold three times, plus the fixture's sender alice@lab.example.edu.
    assertThat(harvest.getAddressesSeen()).isEqualTo(4);
    assertThat(harvest.getDigestsCount()).isEqualTo(2);
    String wire = new String(report.toByteArray(), StandardCharsets.ISO_8859_1)
        .toLowerCase(Locale.ROOT);
    assertThat(wire).doesNotContain("harold").doesNotContain("lab.example.edu");
  }

  @Test
  void toHeaderAddressIsHarvested() {
    MailFixtures.writeEml(root().resolve("Users/harold/Library/Mail/V10/A/INBOX.mbox/B/Data/"
        + "Messages/1.eml"), HarvestFixtures.messageToHarold());

    assertThat(harvest().getDigestsList()).contains(HAROLD_DIGEST);
  }

  @Test
  void vCardAddressIsHarvested() {
    HarvestFixtures.vcard(root().resolve("Users/harold/Documents/harold.vcf"), HAROLD_AS_WRITTEN);

    assertThat(harvest().getDigestsList()).containsExactly(HAROLD_DIGEST);
  }

  @Test
  void htmlFileAddressIsHarvested() {
    HarvestFixtures.html(root().resolve("home/harold/public_html/index.htm"), HAROLD_AS_WRITTEN);

    assertThat(harvest().getDigestsList()).containsExactly(HAROLD_DIGEST);
  }

  @Test
  void windowsAddressBookUtf16AddressIsHarvested() {
    HarvestFixtures.wab(root().resolve("Documents and Settings/harold/Application Data/"
        + "Microsoft/Address Book/harold.wab"), HAROLD_AS_WRITTEN);

    assertThat(harvest().getDigestsList()).containsExactly(HAROLD_DIGEST);
  }

  @Test
  void thunderbirdMorkAddressBookIsHarvested() {
    HarvestFixtures.mork(root().resolve(
        "home/harold/.thunderbird/x1y2.default/abook.mab"), HAROLD_AS_WRITTEN);

    assertThat(harvest().getDigestsList()).containsExactly(HAROLD_DIGEST);
  }

  @Test
  void thunderbirdSqliteAddressBookIsReadWithoutBeingTouched() throws Exception {
    Path book = HarvestFixtures.thunderbirdSqlite(root().resolve(
        "Users/harold/AppData/Roaming/Thunderbird/Profiles/x1y2.default/abook.sqlite"),
        HAROLD_AS_WRITTEN);
    FileTime modified = FileTime.fromMillis(1_000_000_000_000L);
    Files.setLastModifiedTime(book, modified);
    byte[] before = Files.readAllBytes(book);
    List<Path> siblingsBefore = list(book.getParent());

    HarvestDigests harvest = harvest();

    assertThat(harvest.getDigestsList()).containsExactly(HAROLD_DIGEST);
    assertThat(Files.readAllBytes(book)).isEqualTo(before);
    assertThat(Files.getLastModifiedTime(book)).isEqualTo(modified);
    assertThat(list(book.getParent())).isEqualTo(siblingsBefore);
  }

  @Test
  void lockedSqliteAddressBookIsReadFromAPrivateCopyThatIsRemoved() throws Exception {
    Path book = HarvestFixtures.thunderbirdSqlite(root().resolve(
        "home/harold/.thunderbird/x1y2.default/history.sqlite"), HAROLD_AS_WRITTEN);
    HarvestDigests harvest;
    try (Connection thunderbird = DriverManager.getConnection("jdbc:sqlite:" + book);
        Statement s = thunderbird.createStatement()) {
      s.execute("PRAGMA locking_mode=EXCLUSIVE");
      s.execute("BEGIN EXCLUSIVE");
      harvest = harvest();
      s.execute("ROLLBACK");
    }

    assertThat(harvest.getDigestsList()).containsExactly(HAROLD_DIGEST);
    assertThat(list(state())).isEmpty();
  }

  @Test
  void macContactsDatabaseIsHarvested() throws Exception {
    HarvestFixtures.macContacts(root().resolve("Users/harold/Library/Application Support/"
        + "AddressBook/Sources/0C1D2E3F-4A5B-6C7D-8E9F-A0B1C2D3E4F5/AddressBook-v22.abcddb"),
        HAROLD_AS_WRITTEN);

    assertThat(harvest().getDigestsList()).containsExactly(HAROLD_DIGEST);
  }

  @Test
  void repeatedAddressIsCountedAsSeenEachTimeButDigestedOnce() {
    MailFixtures.write(root().resolve("home/harold/notes.txt"),
        (HAROLD + "\n" + HAROLD_AS_WRITTEN + "\n<" + HAROLD + ">\n")
            .getBytes(StandardCharsets.US_ASCII));

    HarvestDigests harvest = harvest();

    assertThat(harvest.getAddressesSeen()).isEqualTo(3);
    assertThat(harvest.getDigestsList()).containsExactly(HAROLD_DIGEST);
  }

  @Test
  void filesOutsideProfilesAreNotHarvested() {
    HarvestFixtures.html(root().resolve("var/www/index.html"), HAROLD);

    assertThat(harvest().getDigestsList()).isEmpty();
  }

  @Test
  void withoutAFleetKeyNothingIsReportedAndTheSkipIsCounted() {
    HarvestFixtures.html(root().resolve("home/harold/index.html"), HAROLD);
    Policy noKey = ScanHarness.policy().toBuilder().clearHarvestKey().clearHarvestKeyId().build();

    Report report = ScanHarness.scanOk(new HarvestCheck(), root(), state(), noKey);

    assertThat(report.hasHarvest()).isFalse();
    assertThat(report.getScan().getSkippedMap()).containsEntry("harvest-no-fleet-key", 1L);
  }

  @Test
  void addressesBeyondTheCapAreCountedNotKept() {
    MailFixtures.write(root().resolve("home/harold/list.txt"),
        "a1@x.example.org a2@x.example.org a3@x.example.org a3@x.example.org"
            .getBytes(StandardCharsets.US_ASCII));

    Report report = ScanHarness.scanOk(new HarvestCheck(2), root(), state(),
        ScanHarness.policy());

    assertThat(report.getHarvest().getDigestsCount()).isEqualTo(2);
    assertThat(report.getScan().getSkippedMap()).containsEntry("harvest-address-cap", 2L);
  }

  @Test
  void textFileOverTheSizeLimitIsSkippedAndCounted() {
    MailFixtures.write(root().resolve("home/harold/big.txt"),
        (HAROLD + " " + "x".repeat(10_000)).getBytes(StandardCharsets.US_ASCII));

    Report report = ScanHarness.scanOk(new HarvestCheck(), root(), state(),
        ScanHarness.policyWithMaxFileSize(4096));

    assertThat(report.getHarvest().getDigestsList()).isEmpty();
    assertThat(report.getScan().getSkippedMap()).containsEntry("too-large", 1L);
  }

  @Test
  void digestsAreSortedSoTheirOrderRevealsNothing() {
    MailFixtures.write(root().resolve("home/harold/list.txt"),
        "z@x.example.org m@x.example.org a@x.example.org".getBytes(StandardCharsets.US_ASCII));

    List<ByteString> digests = harvest().getDigestsList();

    assertThat(digests).hasSize(3).isSortedAccordingTo(ByteString.unsignedLexicographicalComparator());
  }

  @Test
  void runsOnlyInFullScans() {
    HarvestCheck check = new HarvestCheck();

    assertThat(check.name()).isEqualTo("harvest");
    assertThat(check.appliesTo(ScanPlan.full("cli"))).isTrue();
    assertThat(check.appliesTo(new ScanPlan(ScanKind.SCAN_KIND_QUICK, "cli"))).isFalse();
  }

  private static List<Path> list(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.sorted().toList();
    }
  }
}
