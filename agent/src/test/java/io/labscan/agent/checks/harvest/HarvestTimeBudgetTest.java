package io.labscan.agent.checks.harvest;

import static io.labscan.agent.checks.harvest.HarvestFixtures.HAROLD_AS_WRITTEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.mail.MailCheck;
import io.labscan.agent.checks.mail.MailFixtures;
import io.labscan.agent.checks.mail.ScanHarness;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user can write an address book that is a program: its {@code properties} table is a
 * view over a recursive query that never ends. It must cost the scan at most the harvest
 * check's budget, and never the other checks' evidence.
 */
class HarvestTimeBudgetTest {
  @TempDir Path tmp;

  private Path root() {
    return tmp.resolve("root");
  }

  /**
   * A 4 KiB-class {@code abook.sqlite} whose {@code properties} is an endless recursive view:
   * {@code SELECT value FROM properties WHERE name IN (...)} never returns a row and never ends.
   */
  static Path endlessAddressBook(Path file) throws Exception {
    Files.createDirectories(file.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("CREATE VIEW properties(card, name, value) AS"
          + " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
          // The name depends on the row, so SQLite cannot decide the WHERE clause up front.
          + " SELECT 'c' || i, CASE WHEN i < 0 THEN 'PrimaryEmail' ELSE 'Notes' END, 'x'"
          + " FROM n");
    }
    return file;
  }

  private Report scan(List<io.labscan.agent.checks.Check> checks, Policy policy) {
    return new Scanner(checks, () -> 1L).scan(new ScanContext(root(), false, policy,
        tmp.resolve("state"), Clock.fixed(MailFixtures.SENT, ZoneOffset.UTC), ScanPlan.full("test")));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void endlessAddressBookCostsTheHarvestItsBudgetAndTheMailFindingsAreStillReported()
      throws Exception {
    endlessAddressBook(root().resolve(
        "home/mallory/.thunderbird/x1y2.default/abook.sqlite"));
    MailFixtures.writeMbox(root().resolve("home/harold/mail/inbox"),
        MailFixtures.ms01020("<klez-1@lab.example.edu>", "A very funny website"));
    // Only the time budget stops the query: no step budget of its own.
    HarvestCheck harvest = new HarvestCheck(HarvestCheck.MAX_ADDRESSES, Long.MAX_VALUE);
    Policy policy = ScanHarness.policy().toBuilder()
        .putCheckBudgetSeconds("harvest", 1)
        .build();

    Report report = scan(List.of(harvest, new MailCheck()), policy);

    assertThat(report.getScan().getSkippedMap()).containsEntry("timeout:harvest", 1L)
        .doesNotContainKey("unreadable"); // the book is not to blame for the interrupt
    assertThat(report.getScan().getChecksList()).satisfiesExactly(
        c -> {
          assertThat(c.getCheck()).isEqualTo("harvest");
          assertThat(c.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_FAILED);
          assertThat(c.getMessage()).isEqualTo("timed out after 1s");
        },
        c -> {
          assertThat(c.getCheck()).isEqualTo("mail");
          assertThat(c.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_OK);
        });
    assertThat(report.getFindingsList()).isNotEmpty()
        .allSatisfy(f -> assertThat(f.getPath()).isEqualTo("home/harold/mail/inbox"));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void endlessAddressBookIsCountedAndTheOtherAddressBooksAreStillHarvested() throws Exception {
    endlessAddressBook(root().resolve(
        "home/mallory/.thunderbird/x1y2.default/abook.sqlite"));
    HarvestFixtures.vcard(root().resolve("home/harold/contacts.vcf"), HAROLD_AS_WRITTEN);
    HarvestCheck harvest = new HarvestCheck(HarvestCheck.MAX_ADDRESSES, 1_000);

    Report report = ScanHarness.scanOk(harvest, root(), tmp.resolve("state"));

    assertThat(report.getScan().getSkippedMap())
        .containsEntry(SqliteAddressBookSource.QUERY_BUDGET_REASON, 1L)
        .doesNotContainKey("timeout:harvest");
    assertThat(report.getHarvest().getDigestsCount()).isEqualTo(1);
  }
}
