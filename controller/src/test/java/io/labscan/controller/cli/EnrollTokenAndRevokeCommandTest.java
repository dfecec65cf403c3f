package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.CertificateAuthority;
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

class EnrollTokenAndRevokeCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private int run(String... args) {
    return ControllerMain.commandLine().execute(args);
  }

  @Test
  void enrollTokenPrintsATokenPinnedToTheCaAndTheFingerprint() {
    Path db = dir.resolve("labscan.db");

    int exit = run("enroll-token", "--db", db.toString(), "--lab", "physics-lab", "--ttl", "2h", "--uses", "30");

    assertThat(exit).isZero();
    String fingerprint = CertificateAuthority.loadOrCreate(CertificateAuthority.folderFor(db), Clock.systemUTC())
        .fingerprint();
    EnrolmentToken token = EnrolmentToken.parse(out.toString(StandardCharsets.UTF_8));
    assertThat(token.caFingerprint()).isEqualTo(fingerprint);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("CA fingerprint (SHA-256, pinned in the token): " + fingerprint)
        .contains("lab 'physics-lab', 30 uses");
  }

  @Test
  void enrollTokenForAHostMintsASingleUseTokenBoundToThatHostFoundByItsHostname() {
    Path db = dir.resolve("labscan.db");
    String hostId = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      store.ingest(TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "test")
          .join();
    }

    int exit = run("enroll-token", "--db", db.toString(), "--host", "lab-pc-07");

    assertThat(exit).isZero();
    EnrolmentToken token = EnrolmentToken.parse(out.toString(StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("re-enrols host " + hostId).contains("1 use,");
    try (Storage store = Storage.open(db)) {
      assertThat(store.checkToken(token.tokenId(), token.secretHash(), Instant.now()).boundHostId()).isEqualTo(hostId);
    }
  }

  @Test
  void enrollTokenForAHostRefusesSeveralUsesAndUnknownOrRevokedHosts() {
    Path db = dir.resolve("labscan.db");
    String hostId = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      store.ingest(TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "test")
          .join();
    }

    assertThat(run("enroll-token", "--db", db.toString(), "--host", hostId, "--uses", "5"))
        .isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run("enroll-token", "--db", db.toString(), "--host", TestReports.newHostId()))
        .isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run("revoke", "--db", db.toString(), hostId)).isZero();
    out.reset();
    assertThat(run("enroll-token", "--db", db.toString(), "--host", hostId)).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("was revoked");
  }

  @Test
  void enrollTokenRefusesAnUnreadableLifetime() {
    int exit = run("enroll-token", "--db", dir.resolve("labscan.db").toString(), "--ttl", "a fortnight");

    assertThat(exit).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void revokeFindsAHostByItsUniqueHostname() {
    Path db = dir.resolve("labscan.db");
    String hostId = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      store.ingest(TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "test")
          .join();
    }

    int exit = run("revoke", "--db", db.toString(), "--reason", "stolen", "LAB-PC-07");

    assertThat(exit).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Revoked host " + hostId);
    try (Storage store = Storage.open(db)) {
      assertThat(store.revokedHosts()).containsExactly(hostId);
    }
  }

  @Test
  void revokeOfAnUnknownHostIsBadInput() {
    Path db = dir.resolve("labscan.db");
    Storage.open(db).close();

    assertThat(run("revoke", "--db", db.toString(), "no-such-pc")).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("no host with id or name 'no-such-pc'");
  }
}
