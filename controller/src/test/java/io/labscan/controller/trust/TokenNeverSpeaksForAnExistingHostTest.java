package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.Enrolment;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.trust.CertificateRequests;
import io.labscan.contract.trust.Certificates;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.TrustRepository.EnrolledHost;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16: an enrolment token creates new hosts only. Each test performs the attack for real:
 * an agent state folder holding the victim's host id, enrolment over the TLS enrolment port, then
 * reports over mutual TLS on the agent port of a controller on loopback.
 */
class TokenNeverSpeaksForAnExistingHostTest {
  @TempDir Path dir;
  private SecureController controller;
  private Storage store;

  @BeforeEach
  void start() {
    controller = new SecureController(dir.resolve("controller"));
    store = controller.runtime.store();
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  /** An attacker's agent whose state folder claims {@code victim}'s host id. */
  private Path posingAs(String victim) {
    Path state = dir.resolve("attacker");
    HostIdentity.adopt(state, victim);
    return state;
  }

  /** What the attacker's agent does next: report "clean" for the id it believes it holds. */
  private void assertCannotReportFor(String victim, AgentCredentials attacker) {
    ControllerClient client = controller.mutualTls(attacker);
    Report clean = TestReports.fullScan(victim, "lab-pc-12", Instant.now(), 99, "10.20.3.12");
    long before = store.reportCount();
    assertThatThrownBy(() -> client.report(clean))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThat(store.reportCount()).isEqualTo(before);
  }

  private void assertGivenANewId(String victim, Path state, Enrolment.Result result) {
    String given = result.credentials().hostId().orElseThrow();
    assertThat(given).isNotEqualTo(victim);
    assertThat(HostIdentity.loadOrCreate(state)).as("the agent adopted the assigned id").isEqualTo(given);
    assertCannotReportFor(victim, result.credentials());
  }

  @Test
  void aTokenHolderClaimingAnImportedHostsIdIsGivenANewIdAndCannotReportForIt() throws Exception {
    String victim = TestReports.newHostId();
    store.ingest(TestReports.fullScan(victim, "lab-pc-12", Instant.now(), 1, "10.20.3.12"), Instant.now(), "import")
        .join();
    Path state = posingAs(victim);

    assertGivenANewId(victim, state, controller.enrol(state, controller.token("", 1)));
  }

  @Test
  void aTokenHolderClaimingAHostThatReportedInPlaintextIsGivenANewIdAndCannotReportForIt() throws Exception {
    String victim = TestReports.newHostId();
    store.ingest(TestReports.fullScan(victim, "lab-pc-12", Instant.now(), 1, "10.20.3.12"), Instant.now(), "grpc")
        .join();
    Path state = posingAs(victim);

    assertGivenANewId(victim, state, controller.enrol(state, controller.token("", 1)));
  }

  @Test
  void aTokenHolderClaimingAHostWhoseCertificateEndedIsGivenANewIdAndCannotReportForIt() throws Exception {
    String victim = TestReports.newHostId();
    Instant twoYearsAgo = Instant.now().minus(Duration.ofDays(730));
    EnrolmentToken old = controller.tokenIssuedAt("", 1, twoYearsAgo, Duration.ofHours(1));
    store.redeem(old.tokenId(), old.secretHash(), new EnrolledHost(victim, "lab-pc-12", "0a1b",
        twoYearsAgo.plus(Duration.ofDays(365))), twoYearsAgo).join();
    Path state = posingAs(victim);

    assertGivenANewId(victim, state, controller.enrol(state, controller.token("", 1)));
    assertThat(store.certificate(victim)).hasValueSatisfying(c -> assertThat(c.serial()).isEqualTo("0a1b"));
  }

  @Test
  void anOlderAgentThatCannotAdoptAnIdIsRefusedForAKnownIdWithoutSpendingTheToken() throws Exception {
    String victim = TestReports.newHostId();
    store.ingest(TestReports.fullScan(victim, "lab-pc-12", Instant.now(), 1, "10.20.3.12"), Instant.now(), "import")
        .join();
    EnrolmentToken token = controller.token("", 1);

    assertThatThrownBy(() -> controller.enrolmentPort().enroll(EnrollRequest.newBuilder()
            .setHostId(victim)
            .setHostname("lab-pc-12")
            .setToken(token.text())
            .setCsrDer(ByteString.copyFrom(CertificateRequests.create(Certificates.newKeyPair(), victim)))
            .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
          assertThat(e.getStatus().getDescription()).contains("enroll-token --host " + victim);
        });
    controller.enrol(dir.resolve("honest-new-machine"), token);
  }

  @Test
  void aTokenBoundToAHostReEnrolsThatHostAndLocksOutItsOldCertificate() throws Exception {
    Enrolment.Result original = controller.enrol(dir.resolve("before-reinstall"), controller.token("", 1));
    String hostId = original.credentials().hostId().orElseThrow();
    EnrolmentToken bound = new EnrolmentTokens(store, controller.ca().fingerprint())
        .issueFor(hostId, "", Duration.ofHours(1), Instant.now());
    Path reinstalled = dir.resolve("after-reinstall");

    Enrolment.Result again = controller.enrol(reinstalled, bound);

    assertThat(again.credentials().hostId()).contains(hostId);
    assertThat(HostIdentity.loadOrCreate(reinstalled)).isEqualTo(hostId);
    controller.mutualTls(again.credentials())
        .report(TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 5, "10.20.3.7"));
    assertThatThrownBy(() -> controller.mutualTls(original.credentials())
            .report(TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 6, "10.20.3.7")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(e.getStatus().getDescription()).contains("was replaced");
        });
  }

  @Test
  void aTokenBoundToAHostIsGoodForOneEnrolment() throws Exception {
    String hostId = controller.enrol(dir.resolve("a"), controller.token("", 1)).credentials().hostId().orElseThrow();
    EnrolmentToken bound = new EnrolmentTokens(store, controller.ca().fingerprint())
        .issueFor(hostId, "", Duration.ofHours(1), Instant.now());
    controller.enrol(dir.resolve("b"), bound);

    assertThatThrownBy(() -> controller.enrol(dir.resolve("c"), bound))
        .isInstanceOfSatisfying(EnrolmentException.class, e -> assertThat(e.getMessage()).contains("token used up"));
  }

  @Test
  void anOlderAgentCannotRedeemATokenBoundToAnotherHost() throws Exception {
    String hostId = controller.enrol(dir.resolve("a"), controller.token("", 1)).credentials().hostId().orElseThrow();
    EnrolmentToken bound = new EnrolmentTokens(store, controller.ca().fingerprint())
        .issueFor(hostId, "", Duration.ofHours(1), Instant.now());
    String other = TestReports.newHostId();

    assertThatThrownBy(() -> controller.enrolmentPort().enroll(EnrollRequest.newBuilder()
            .setHostId(other)
            .setHostname("lab-pc-99")
            .setToken(bound.text())
            .setCsrDer(ByteString.copyFrom(CertificateRequests.create(Certificates.newKeyPair(), other)))
            .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
  }

  @Test
  void anUnknownTokenIsRefusedBeforeTheCertificateRequestIsEvenRead() {
    EnrolmentToken neverIssued = EnrolmentToken.generate(controller.ca().fingerprint());

    assertThatThrownBy(() -> controller.enrolmentPort().enroll(EnrollRequest.newBuilder()
            .setHostId(TestReports.newHostId())
            .setHostname("lab-pc-07")
            .setToken(neverIssued.text())
            .setCsrDer(ByteString.copyFromUtf8("not a certificate request at all"))
            .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(e.getStatus().getDescription()).isEqualTo("unknown token");
        });
  }

  @Test
  void anExpiredTokenIsRefusedBeforeTheCertificateRequestIsEvenRead() {
    EnrolmentToken expired = controller.tokenIssuedAt("", 1, Instant.now().minus(Duration.ofHours(2)),
        Duration.ofHours(1));

    assertThatThrownBy(() -> controller.enrolmentPort().enroll(EnrollRequest.newBuilder()
            .setHostId(TestReports.newHostId())
            .setHostname("lab-pc-07")
            .setToken(expired.text())
            .setCsrDer(ByteString.copyFromUtf8("not a certificate request at all"))
            .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).isEqualTo("token expired"));
  }
}
