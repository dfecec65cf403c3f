package io.labscan.controller.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.store.Pruner;
import io.labscan.controller.store.Storage;
import io.labscan.controller.text.SpreadsheetCsv;
import io.labscan.testsupport.MutableClock;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log on a real SQLite file: append-only, filtered, bounded, pruned only by age. */
class AuditLogTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link AuditLogOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  Storage store;

  @BeforeEach
  void open() {
    store = open(dir.resolve("c.db"));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static final Source FROM = Source.http("192.0.2.10");

  @Test
  void entriesComeBackNewestFirstWithWhoWhenWhereAndWhat() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
    AuditLog audit = new AuditLog(store, clock);
    audit.record(Actor.user("it-staff"), Actions.LOGIN, "it-staff", "password; role admin", FROM);
    clock.advance(Duration.ofMinutes(1));
    audit.record(Actor.user("it-staff"), Actions.LAB_RULE_ADD, "r1", "cidr 10.20.3.0/24 -> physics-lab", FROM);

    List<AuditEntry> all = audit.find(AuditQuery.all(10));

    assertThat(all).extracting(AuditEntry::action).containsExactly(Actions.LAB_RULE_ADD, Actions.LOGIN);
    AuditEntry e = all.get(0);
    assertThat(e.actor()).isEqualTo(Actor.user("it-staff"));
    assertThat(e.at()).isEqualTo(Instant.parse("2026-12-01T09:01:00Z"));
    assertThat(e.source()).isEqualTo(FROM);
    assertThat(e.target()).isEqualTo("r1");
    assertThat(e.detail()).isEqualTo("cidr 10.20.3.0/24 -> physics-lab");
    assertThat(all.get(1).seq()).isLessThan(e.seq());
  }

  @Test
  void filtersByActorActionPrefixAndTimeRange() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
    AuditLog audit = new AuditLog(store, clock);
    audit.record(Actor.anonymous("janet"), Actions.LOGIN_FAILED, "janet", "wrong user name or password", FROM);
    clock.advance(Duration.ofDays(1));
    audit.record(Actor.user("janet"), Actions.LOGIN, "janet", "", FROM);
    audit.record(Actor.user("it-staff"), Actions.CAMPAIGN_CREATE, "c1", "", FROM);

    assertThat(audit.find(new AuditQuery(Optional.of("JAN"), Optional.empty(), Optional.empty(), Optional.empty(), 10)))
        .hasSize(2);
    assertThat(audit.find(new AuditQuery(Optional.empty(), Optional.of("login"), Optional.empty(), Optional.empty(), 10)))
        .extracting(AuditEntry::action).containsExactly(Actions.LOGIN, Actions.LOGIN_FAILED);
    assertThat(audit.find(new AuditQuery(Optional.empty(), Optional.of("login.failed"), Optional.empty(),
        Optional.empty(), 10))).hasSize(1);
    assertThat(audit.find(new AuditQuery(Optional.empty(), Optional.empty(),
        Optional.of(Instant.parse("2026-12-02T00:00:00Z")), Optional.empty(), 10)))
        .extracting(AuditEntry::action).containsExactly(Actions.CAMPAIGN_CREATE, Actions.LOGIN);
    assertThat(audit.find(new AuditQuery(Optional.empty(), Optional.empty(), Optional.empty(),
        Optional.of(Instant.parse("2026-12-02T00:00:00Z")), 10)))
        .extracting(AuditEntry::action).containsExactly(Actions.LOGIN_FAILED);
    assertThatThrownBy(() -> new AuditQuery(Optional.empty(), Optional.of("x' OR 1=1"), Optional.empty(),
        Optional.empty(), 10)).hasMessageContaining("action");
  }

  @Test
  void hostileTextIsBoundedAndItsControlCharactersEscaped() {
    AuditLog audit = new AuditLog(store, Clock.systemUTC());
    audit.record(Actor.anonymous("evil\r\n2026-12-01 admin login ok" + "x".repeat(10_000)), Actions.LOGIN_FAILED,
        "t", "d".repeat(100_000), FROM);
    AuditEntry e = audit.find(AuditQuery.all(1)).get(0);
    assertThat(e.actor().name()).doesNotContain("\r", "\n").startsWith("evil\\x0D\\x0A").hasSizeLessThan(300);
    assertThat(e.detail()).hasSizeLessThan(2100);
  }

  @Test
  void anEntryCannotBeChangedOrDeletedThroughTheDatabaseConnection() {
    AuditLog audit = new AuditLog(store, Clock.systemUTC());
    audit.record(Actor.user("it-staff"), Actions.TOKEN_CREATE, "abc", "", FROM);
    assertThatThrownBy(() -> store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("UPDATE audit_log SET actor = 'someone else'")) {
        return ps.executeUpdate();
      }
    }).join()).isInstanceOf(CompletionException.class).hasMessageContaining("cannot be changed");
    assertThatThrownBy(() -> store.write(db -> {
      try (PreparedStatement ps = db.prepareStatement("DELETE FROM audit_log")) {
        return ps.executeUpdate();
      }
    }).join()).isInstanceOf(CompletionException.class).hasMessageContaining("cannot be deleted");
    assertThat(audit.find(AuditQuery.all(10))).singleElement()
        .satisfies(e -> assertThat(e.actor().name()).isEqualTo("it-staff"));
  }

  @Test
  void thePruneDeletesOnlyEntriesOlderThanTheAuditRetention() {
    Instant now = Instant.now();
    new AuditLog(store, Clock.fixed(now.minus(Duration.ofDays(500)), java.time.ZoneOffset.UTC))
        .record(Actor.user("it-staff"), Actions.LOGIN, "it-staff", "long ago", FROM);
    new AuditLog(store, Clock.fixed(now.minus(Duration.ofDays(300)), java.time.ZoneOffset.UTC))
        .record(Actor.user("it-staff"), Actions.LOGIN, "it-staff", "within a year", FROM);
    new AuditLog(store, Clock.fixed(now, java.time.ZoneOffset.UTC))
        .record(Actor.user("it-staff"), Actions.LOGIN, "it-staff", "today", FROM);

    Pruner.Result dry = new Pruner(store, Pruner.Retention.defaults(), Clock.fixed(now, java.time.ZoneOffset.UTC))
        .prune(true);
    assertThat(dry.rows()).containsEntry("audit_log", 1L);
    Pruner.Result result = new Pruner(store, Pruner.Retention.defaults(), Clock.fixed(now, java.time.ZoneOffset.UTC))
        .prune(false);

    assertThat(result.rows()).containsEntry("audit_log", 1L);
    assertThat(new AuditLog(store, Clock.systemUTC()).find(AuditQuery.all(10))).extracting(AuditEntry::detail)
        .containsExactly("today", "within a year");
  }

  @Test
  void theAuditRetentionCannotBeShorterThanTheTablesOwnFloor() {
    assertThatThrownBy(() -> new Pruner.Retention(30, 90, 730, 30)).hasMessageContaining("at least 91 days");
  }

  @Test
  void theCsvExportDefusesFormulasAndQuotesSeparators() {
    AuditLog audit = new AuditLog(store, Clock.systemUTC());
    audit.record(Actor.anonymous("=HYPERLINK(\"http://evil.example\",\"x\")"), Actions.LOGIN_FAILED, "+1+1",
        "@SUM(A1:A9), -2", FROM);
    String csv = AuditCsv.render(audit.find(AuditQuery.all(1)));
    String row = csv.lines().skip(1).findFirst().orElseThrow();
    assertThat(csv).startsWith(AuditCsv.HEADER + "\r\n");
    assertThat(row).startsWith("1,\"").contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"",
        ",\"'+1+1\",", "\"'@SUM(A1:A9), -2\"");
    SpreadsheetCsv.assertNoFormula(csv);
  }

  @Test
  void aClaimedLoginNameWithSemicolonsIsOneQuotedCellInTheCsvExport() {
    AuditLog audit = new AuditLog(store, Clock.systemUTC());
    String name = "admin;=cmd|' /C calc'!A0;-1";
    audit.record(Actor.anonymous(name), Actions.LOGIN_FAILED, name, "bad password; again", FROM);
    String csv = AuditCsv.render(audit.find(AuditQuery.all(1)));
    SpreadsheetCsv.assertEveryTextCellQuoted(csv);
    List<String> row = SpreadsheetCsv.rows(csv).get(1);
    assertThat(row).hasSize(AuditCsv.HEADER.split(",").length);
    assertThat(row.get(3)).isEqualTo(name);
    assertThat(row.get(6)).isEqualTo("bad password; again");
  }
}
