package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.quarantine.QuarantineRecord;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.Storage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private Path db;
  private String pc07;

  @BeforeEach
  void setUp() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    db = dir.resolve("labscan.db");
    pc07 = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      store.ingest(TestReports.fullScan(pc07, "lab-pc-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "test").join();
    }
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private int run(String... args) {
    return ControllerMain.commandLine().execute(args);
  }

  private Quarantines quarantines(Storage store) {
    return new Quarantines(store, Clock.systemUTC());
  }

  @Test
  void quarantineFindsTheHostByItsUniqueNameAndRecordsTheOperatorAndReason() {
    int exit = run("quarantine", "--db", db.toString(), "--reason", "Klez mailing", "lab-pc-07");

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("lab-pc-07 (" + pc07 + ") quarantined by ")
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

    int exit = run("quarantine", "--db", db.toString(), "lab-pc-07");

    assertThat(exit).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("2 hosts are named 'lab-pc-07'; give the host id")
        .contains(pc07).contains(twin);
    try (Storage store = Storage.open(db)) {
      assertThat(quarantines(store).quarantinedHosts()).isEmpty();
    }
  }

  @Test
  void releaseLiftsTheQuarantineAndAReleaseOfAFreeHostChangesNothing() {
    run("quarantine", "--db", db.toString(), pc07);

    assertThat(run("release", "--db", db.toString(), "--reason", "reimaged", pc07)).isZero();
    assertThat(run("release", "--db", db.toString(), pc07)).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).contains("released by ").contains("is not quarantined");
    try (Storage store = Storage.open(db)) {
      assertThat(quarantines(store).history(pc07)).extracting(QuarantineRecord::quarantined).containsExactly(true, false);
    }
  }

  @Test
  void anUnknownHostIsRefused() {
    assertThat(run("quarantine", "--db", db.toString(), "lab-pc-99")).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no host with id or name 'lab-pc-99'");
  }

  @Test
  void policyTurnsAutoQuarantineOnAndKeepsRelaysInCanonicalForm() {
    int exit = run("policy", "--db", db.toString(), "--auto-quarantine", "on", "--quarantine-relay", "192.0.2.77/24");

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Auto-quarantine:   on")
        .contains("Quarantine relays: 192.0.2.0/24");
    try (Storage store = Storage.open(db)) {
      assertThat(Quarantines.autoQuarantine(store)).isTrue();
      assertThat(Quarantines.relays(store)).containsExactly("192.0.2.0/24");
    }
  }

  @Test
  void hostShowsTheQuarantineWithItsOrderInTableAndJson() throws Exception {
    run("quarantine", "--db", db.toString(), "--reason", "Klez mailing", pc07);
    out.reset();

    assertThat(run("host", "--db", db.toString(), pc07)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("SMTP quarantine: QUARANTINED")
        .contains("order 1: quarantined by ").contains(": Klez mailing");
    out.reset();
    assertThat(run("host", "--db", db.toString(), "--format", "json", pc07)).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(json.at("/quarantine/quarantined").asBoolean()).isTrue();
    assertThat(json.at("/quarantine/history/0").asText()).contains("quarantined by ").endsWith(": Klez mailing");
  }

  @Test
  void anAllowedUserThatCannotBeAUserNameIsRefused() {
    int exit = run("policy", "--db", db.toString(), "--quarantine-allow-user", "postfix } accept");

    assertThat(exit).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a local user name or uid");
    try (Storage store = Storage.open(db)) {
      assertThat(Quarantines.allowedUsers(store)).isEmpty();
    }
  }

  @Test
  void aRelayThatIsAHostNameIsRefused() {
    int exit = run("policy", "--db", db.toString(), "--quarantine-relay", "relay.example.edu");

    assertThat(exit).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("'relay.example.edu' is not an IP address or prefix");
  }
}
