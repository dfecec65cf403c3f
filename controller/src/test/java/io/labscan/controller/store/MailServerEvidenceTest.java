package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.triage.MailServerHost;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store tells the trust walk about mail servers and the Settings page's entries. */
class MailServerEvidenceTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link MailServerEvidenceOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }
  private static final Instant AT = Instant.parse("2026-12-06T08:00:00Z");

  private static Report withFqdn(Report r, String fqdn) {
    return r.toBuilder().setInventory(r.getInventory().toBuilder().setFqdn(fqdn)).build();
  }

  @Test
  void onlyHostsWithTheMailServerRoleAreListedWithTheirFullyQualifiedNames() {
    String mx = TestReports.newHostId();
    String pc = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(withFqdn(TestReports.fullScan(mx, "mx1", AT, 1, "198.51.100.5"), "MX1.Campus.Example.EDU"), AT, "t")
          .join();
      store.ingest(withFqdn(TestReports.fullScan(pc, "lab-pc-07", AT, 1, "10.20.3.17"), "lab-pc-07.campus.example.edu"),
          AT, "t").join();
      store.setRole(mx, PolicyProvider.MAIL_SERVER_ROLE, true).join();

      SqliteTriageEvidence evidence = new SqliteTriageEvidence(store.database(), "k");

      assertThat(evidence.mailServers()).containsExactly(
          new MailServerHost(mx, "mx1", java.util.List.of("mx1.campus.example.edu")));
    }
  }

  @Test
  void aLabPcThatNamesItselfLikeTheMailServerCannotTakeTheMailServersNameAway() {
    String mx = TestReports.newHostId();
    String pc = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(withFqdn(TestReports.fullScan(mx, "mx1", AT, 1, "198.51.100.5"), "mx1.campus.example.edu."), AT, "t")
          .join();
      store.ingest(withFqdn(TestReports.fullScan(pc, "MX1.campus.example.edu", AT, 1, "10.20.3.17"),
          "mx1.campus.example.edu"), AT, "t").join();
      store.setRole(mx, PolicyProvider.MAIL_SERVER_ROLE, true).join();

      SqliteTriageEvidence evidence = new SqliteTriageEvidence(store.database(), "k");

      assertThat(evidence.mailServers()).containsExactly(
          new MailServerHost(mx, "mx1", java.util.List.of("mx1.campus.example.edu")));
    }
  }

  @Test
  void aGenericNameAMailServerReportsIsNeverOffered() {
    String mx2 = TestReports.newHostId();
    try (Storage store = open(dir.resolve("c.db"))) {
      store.ingest(withFqdn(TestReports.fullScan(mx2, "mx2", AT, 1, "198.51.100.6"), "localhost.localdomain"), AT,
          "t").join();
      store.setRole(mx2, PolicyProvider.MAIL_SERVER_ROLE, true).join();

      SqliteTriageEvidence evidence = new SqliteTriageEvidence(store.database(), "k");

      assertThat(evidence.mailServers()).extracting(MailServerHost::names).containsOnly(java.util.List.of());
    }
  }

  @Test
  void theSettingsPagesEntriesReachTheTrustWalkInTheOrderTheyWereAdded() {
    try (Storage store = open(dir.resolve("c.db"))) {
      TrustedMtas settings = new TrustedMtas(store.database(), Clock.fixed(AT, java.time.ZoneOffset.UTC));
      settings.add("198.51.100.0/24", "it-staff");
      settings.add("*.campus.example.edu", "it-staff");

      assertThat(new SqliteTriageEvidence(store.database(), "k").configuredTrust())
          .containsExactly("198.51.100.0/24", "*.campus.example.edu");
    }
  }
}
