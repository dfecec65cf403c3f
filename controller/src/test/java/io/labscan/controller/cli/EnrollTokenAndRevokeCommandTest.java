package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.testsupport.CliRun;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrollTokenAndRevokeCommandTest {
  @TempDir Path dir;

  @Test
  void enrollTokenPrintsATokenPinnedToTheCaAndTheFingerprint() {
    Path db = dir.resolve("labscan.db");

    CliRun r = run("enroll-token", "--db", db.toString(), "--lab", "physics-lab", "--ttl", "2h", "--uses", "30");

    assertThat(r.code()).isZero();
    String fingerprint = CertificateAuthority.loadOrCreate(CertificateAuthority.folderFor(db), Clock.systemUTC())
        .fingerprint();
    EnrolmentToken token = EnrolmentToken.parse(r.out());
    assertThat(token.caFingerprint()).isEqualTo(fingerprint);
    assertThat(r.err())
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

    CliRun r = run("enroll-token", "--db", db.toString(), "--host", "lab-pc-07");

    assertThat(r.code()).isZero();
    EnrolmentToken token = EnrolmentToken.parse(r.out());
    assertThat(r.err()).contains("re-enrols host " + hostId).contains("1 use,");
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

    assertThat(run("enroll-token", "--db", db.toString(), "--host", hostId, "--uses", "5").code())
        .isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run("enroll-token", "--db", db.toString(), "--host", TestReports.newHostId()).code())
        .isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run("revoke", "--db", db.toString(), hostId).code()).isZero();
    CliRun r = run("enroll-token", "--db", db.toString(), "--host", hostId);
    assertThat(r.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("was revoked");
  }

  @Test
  void enrollTokenRefusesAnUnreadableLifetime() {
    CliRun r = run("enroll-token", "--db", dir.resolve("labscan.db").toString(), "--ttl", "a fortnight");

    assertThat(r.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void revokeFindsAHostByItsUniqueHostname() {
    Path db = dir.resolve("labscan.db");
    String hostId = TestReports.newHostId();
    try (Storage store = Storage.open(db)) {
      store.ingest(TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "test")
          .join();
    }

    CliRun r = run("revoke", "--db", db.toString(), "--reason", "stolen", "LAB-PC-07");

    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Revoked host " + hostId);
    try (Storage store = Storage.open(db)) {
      assertThat(store.revokedHosts()).containsExactly(hostId);
    }
  }

  @Test
  void revokeOfAnUnknownHostIsBadInput() {
    Path db = dir.resolve("labscan.db");
    Storage.open(db).close();

    CliRun r = run("revoke", "--db", db.toString(), "no-such-pc");

    assertThat(r.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("no host with id or name 'no-such-pc'");
  }
}
