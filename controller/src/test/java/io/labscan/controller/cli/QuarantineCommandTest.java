package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.quarantine.QuarantineRecord;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.Storage;
import io.labscan.testsupport.CliRun;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineCommandTest {
  @TempDir Path dir;
  private Path db;
  private String pc07;

  @BeforeEach
  void setUp() {
    db = dir.resolve("labscan.db");
    pc07 = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      store.ingest(TestReports.fullScan(pc07, "lab-pc-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "test").join();
    }
  }

  private Quarantines quarantines(Storage store) {
    return new Quarantines(store, Clock.systemUTC());
  }

  @Test
  void quarantineFindsTheHostByItsUniqueNameAndRecordsTheOperatorAndReason() {
    CliRun run = run("quarantine", "--db", db.toString(), "--reason", "Klez mailing", "lab-pc-07");

    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("lab-pc-07 (" + pc07 + ") quarantined by ")
        .contains(": Klez mailing (order 1)");
    try (Storage store = Storage.open(db)) {
      QuarantineRecord r = quarantines(store).current(pc07).orElseThrow();
      assertThat(r.quarantined()).isTrue();
      assertThat(r.by()).isEqualTo(System.getProperty("user.name") + " (command line)");
      assertThat(r.reason()).isEqualTo("Klez mailing");
    }
  }

  @Test
  void anAmbiguousHostnameIsRefusedListingTheHostIds() {
    String twin = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      store.ingest(TestReports.fullScan(twin, "lab-pc-07", Instant.now(), 1, "10.20.3.18"), Instant.now(), "test").join();
    }

    CliRun run = run("quarantine", "--db", db.toString(), "lab-pc-07");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("2 hosts are named 'lab-pc-07'; give the host id")
        .contains(pc07).contains(twin);
    try (Storage store = Storage.open(db)) {
      assertThat(quarantines(store).quarantinedHosts()).isEmpty();
    }
  }

  @Test
  void releaseLiftsTheQuarantineAndAReleaseOfAFreeHostChangesNothing() {
    run("quarantine", "--db", db.toString(), pc07);

    CliRun lifted = run("release", "--db", db.toString(), "--reason", "reimaged", pc07);
    CliRun again = run("release", "--db", db.toString(), pc07);

    assertThat(lifted.code()).isZero();
    assertThat(again.code()).isZero();
    assertThat(lifted.out()).contains("released by ");
    assertThat(again.out()).contains("is not quarantined");
    try (Storage store = Storage.open(db)) {
      assertThat(quarantines(store).history(pc07)).extracting(QuarantineRecord::quarantined).containsExactly(true, false);
    }
  }

  @Test
  void anUnknownHostIsRefused() {
    CliRun run = run("quarantine", "--db", db.toString(), "lab-pc-99");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("no host with id or name 'lab-pc-99'");
  }

  @Test
  void policyTurnsAutoQuarantineOnAndKeepsRelaysInCanonicalForm() {
    CliRun run = run("policy", "--db", db.toString(), "--auto-quarantine", "on", "--quarantine-relay", "192.0.2.77/24");

    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("Auto-quarantine:   on")
        .contains("Quarantine relays: 192.0.2.0/24");
    try (Storage store = Storage.open(db)) {
      assertThat(Quarantines.autoQuarantine(store)).isTrue();
      assertThat(Quarantines.relays(store)).containsExactly("192.0.2.0/24");
    }
  }

  @Test
  void hostShowsTheQuarantineWithItsOrderInTableAndJson() throws Exception {
    run("quarantine", "--db", db.toString(), "--reason", "Klez mailing", pc07);

    CliRun table = run("host", "--db", db.toString(), pc07);
    assertThat(table.code()).isZero();
    assertThat(table.out()).contains("SMTP quarantine: QUARANTINED")
        .contains("order 1: quarantined by ").contains(": Klez mailing");
    CliRun jsonRun = run("host", "--db", db.toString(), "--format", "json", pc07);
    assertThat(jsonRun.code()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(jsonRun.out());
    assertThat(json.at("/quarantine/quarantined").asBoolean()).isTrue();
    assertThat(json.at("/quarantine/history/0").asText()).contains("quarantined by ").endsWith(": Klez mailing");
  }

  @Test
  void anAllowedUserThatCannotBeAUserNameIsRefused() {
    CliRun run = run("policy", "--db", db.toString(), "--quarantine-allow-user", "postfix } accept");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("is not a local user name or uid");
    try (Storage store = Storage.open(db)) {
      assertThat(Quarantines.allowedUsers(store)).isEmpty();
    }
  }

  @Test
  void aRelayThatIsAHostNameIsRefused() {
    CliRun run = run("policy", "--db", db.toString(), "--quarantine-relay", "relay.example.edu");

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("'relay.example.edu' is not an IP address or prefix");
  }
}
