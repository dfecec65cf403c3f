package io.labscan.controller.trust;

import io.labscan.controller.grpc.CertificateRenewal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.CredentialRenewal;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.trust.CertificateRequests;
import io.labscan.contract.trust.Certificates;
import io.labscan.contract.trust.Fingerprints;
import io.labscan.controller.TestReports;
import io.labscan.controller.trust.TrustRepository.Renewal;
import io.labscan.controller.trust.TrustRepository.RenewalOutcome;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.RenewCertificateRequest;
import io.labscan.proto.v1.RenewCertificateResponse;
import io.labscan.testsupport.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate renewal on the agent port, against a real controller on loopback: an agent in
 * the last month of its certificate gets one for a new key and goes on working with it.
 */
class CertificateRenewalTest {
  @TempDir Path dir;
  private SecureController controller;
  private AgentRuntime agent;

  @BeforeEach
  void start() {
    controller = new SecureController(dir);
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    controller.close();
  }

  /**
   * An enrolled agent whose certificate ends in {@code left}: the controller issued it one that
   * short (as a renewal of the enrolment certificate, so the store knows it as current), and it
   * is what the agent's state folder holds.
   */
  private AgentCredentials enrolledEndingIn(Path state, Duration left) throws Exception {
    AgentCredentials enrolled = controller.enrol(state, controller.token("", 1)).credentials();
    String hostId = enrolled.hostId().orElseThrow();
    Instant now = Instant.now();
    X509Certificate shortLived = controller.ca().issueClient(enrolled.certificate().getPublicKey(), hostId,
        now.minus(Duration.ofMinutes(5)), now.plus(left));
    RenewalOutcome recorded = controller.runtime.store().renew(new Renewal(hostId,
        CertificateAuthority.serial(enrolled.certificate()),
        Fingerprints.sha256(enrolled.certificate().getPublicKey().getEncoded()),
        CertificateAuthority.serial(shortLived), shortLived.getNotAfter().toInstant()), now).join();
    assertThat(recorded).isEqualTo(RenewalOutcome.RENEWED);
    AgentCredentials ending = new AgentCredentials(enrolled.key(), shortLived, enrolled.ca());
    ending.save(state);
    return ending;
  }

  private static RenewCertificateRequest request(String hostId, byte[] csr) {
    return RenewCertificateRequest.newBuilder().setHostId(hostId).setCsrDer(ByteString.copyFrom(csr)).build();
  }

  private static void assertRefused(Runnable call, Status.Code code, String why) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(e.getStatus().getDescription()).contains(why);
    });
  }

  @Test
  void anAgentInItsLastMonthGetsAYearLongCertificateForANewKeyAndStoresIt() throws Exception {
    Path state = dir.resolve("agent");
    AgentCredentials ending = enrolledEndingIn(state, Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    CredentialRenewal renewal = new CredentialRenewal(state, hostId, ending, Clock.systemUTC());

    AgentCredentials renewed = renewal.renewIfDue(controller.mutualTls(ending)).orElseThrow();

    assertThat(renewed.hostId()).contains(hostId);
    assertThat(renewed.certificate().getNotAfter().toInstant())
        .isAfter(Instant.now().plus(Duration.ofDays(360)));
    assertThat(renewed.key()).as("a new key, not the old one").isNotEqualTo(ending.key());
    assertThat(AgentCredentials.load(state)).hasValueSatisfying(stored -> {
      assertThat(stored.certificate()).isEqualTo(renewed.certificate());
      assertThat(stored.key()).isEqualTo(renewed.key());
    });
    assertThat(state.resolve(AgentCredentials.NEXT_KEY_FILE)).doesNotExist();
    assertThat(state.resolve(AgentCredentials.NEXT_REQUEST_FILE)).doesNotExist();
    assertThat(state.resolve(AgentCredentials.NEXT_CERTIFICATE_FILE)).doesNotExist();
  }

  @Test
  void theRenewedCertificateIsAcceptedOnTheAgentPort() throws Exception {
    Path state = dir.resolve("agent");
    AgentCredentials ending = enrolledEndingIn(state, Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    AgentCredentials renewed = new CredentialRenewal(state, hostId, ending, Clock.systemUTC())
        .renewIfDue(controller.mutualTls(ending)).orElseThrow();

    var response = controller.mutualTls(renewed).heartbeat(HeartbeatRequest.newBuilder().setHostId(hostId).build());

    assertThat(response.getPolicyVersion()).isEqualTo(1);
  }

  @Test
  void theCertificateARenewalReplacedIsRefusedForEveryOtherCall() throws Exception {
    Path state = dir.resolve("agent");
    AgentCredentials ending = enrolledEndingIn(state, Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    assertThat(new CredentialRenewal(state, hostId, ending, Clock.systemUTC()).renewIfDue(controller.mutualTls(ending)))
        .isPresent();

    assertRefused(() -> controller.mutualTls(ending).heartbeat(HeartbeatRequest.newBuilder().setHostId(hostId).build()),
        Status.Code.UNAUTHENTICATED, "was replaced");
  }

  @Test
  void nothingIsAskedBeforeTheCertificatesLastMonth() throws Exception {
    Path state = dir.resolve("agent");
    AgentCredentials fresh = controller.enrol(state, controller.token("", 1)).credentials();
    CredentialRenewal renewal = new CredentialRenewal(state, fresh.hostId().orElseThrow(), fresh, Clock.systemUTC());

    assertThat(renewal.renewIfDue(controller.mutualTls(fresh))).isEmpty();
    assertThat(state.resolve(AgentCredentials.NEXT_KEY_FILE)).as("no key made").doesNotExist();
    assertThat(renewal.renewalStarts()).isEqualTo(fresh.certificate().getNotAfter().toInstant()
        .minus(CredentialRenewal.RENEW_BEFORE));
  }

  @Test
  void theControllerRefusesToRenewACertificateOutsideItsWindow() throws Exception {
    AgentCredentials fresh = controller.enrolled("agent");
    String hostId = fresh.hostId().orElseThrow();
    byte[] csr = CertificateRequests.create(Certificates.newKeyPair(), hostId);

    assertRefused(() -> controller.mutualTls(fresh).renewCertificate(request(hostId, csr)),
        Status.Code.FAILED_PRECONDITION, "can be renewed from");
  }

  @Test
  void aFailedAttemptIsRepeatedAnHourLaterWithTheSameKey() throws Exception {
    Path state = dir.resolve("agent");
    AgentCredentials ending = enrolledEndingIn(state, Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    MutableClock clock = new MutableClock(Instant.now());
    CredentialRenewal renewal = new CredentialRenewal(state, hostId, ending, clock);
    // The enrolment port serves nothing but Enroll: the attempt fails (UNIMPLEMENTED).
    assertThat(renewal.renewIfDue(controller.enrolmentPort())).isEmpty();
    String pendingKey = Files.readString(state.resolve(AgentCredentials.NEXT_KEY_FILE));

    assertThat(renewal.renewIfDue(controller.mutualTls(ending))).as("not again within the hour").isEmpty();
    clock.advance(CredentialRenewal.RETRY_EVERY);
    AgentCredentials renewed = renewal.renewIfDue(controller.mutualTls(ending)).orElseThrow();

    assertThat(AgentCredentials.load(state).orElseThrow().key()).isEqualTo(renewed.key());
    assertThat(Files.readString(state.resolve(AgentCredentials.KEY_FILE))).isEqualTo(pendingKey);
  }

  @Test
  void aRequestRepeatedAfterALostAnswerGetsACertificateForTheSameKey() throws Exception {
    AgentCredentials ending = enrolledEndingIn(dir.resolve("agent"), Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    KeyPair next = Certificates.newKeyPair();
    byte[] csr = CertificateRequests.create(next, hostId);
    ControllerClient client = controller.mutualTls(ending);
    client.renewCertificate(request(hostId, csr));

    RenewCertificateResponse again = client.renewCertificate(request(hostId, csr));

    X509Certificate certificate = io.labscan.contract.trust.Pem.parseCertificate(again.getCertificateDer().toByteArray());
    assertThat(certificate.getPublicKey()).isEqualTo(next.getPublic());
  }

  @Test
  void aReplacedCertificateCannotRenewForAnotherKey() throws Exception {
    AgentCredentials ending = enrolledEndingIn(dir.resolve("agent"), Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    ControllerClient client = controller.mutualTls(ending);
    client.renewCertificate(request(hostId, CertificateRequests.create(Certificates.newKeyPair(), hostId)));

    byte[] thiefs = CertificateRequests.create(Certificates.newKeyPair(), hostId);

    assertRefused(() -> client.renewCertificate(request(hostId, thiefs)), Status.Code.PERMISSION_DENIED,
        "already replaced");
  }

  @Test
  void anAgentCannotRenewAnotherHostsCertificate() throws Exception {
    AgentCredentials ending = enrolledEndingIn(dir.resolve("agent"), Duration.ofDays(10));
    String other = TestReports.newHostId();
    byte[] csr = CertificateRequests.create(Certificates.newKeyPair(), other);

    assertRefused(() -> controller.mutualTls(ending).renewCertificate(request(other, csr)),
        Status.Code.PERMISSION_DENIED, "belongs to host");
  }

  @Test
  void aRequestNamingAnotherHostInsideTheCsrIsInvalid() throws Exception {
    AgentCredentials ending = enrolledEndingIn(dir.resolve("agent"), Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    byte[] csr = CertificateRequests.create(Certificates.newKeyPair(), TestReports.newHostId());

    assertRefused(() -> controller.mutualTls(ending).renewCertificate(request(hostId, csr)),
        Status.Code.INVALID_ARGUMENT, "CN=" + hostId);
  }

  @Test
  void aMalformedRequestIsInvalid() throws Exception {
    AgentCredentials ending = enrolledEndingIn(dir.resolve("agent"), Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();

    assertRefused(() -> controller.mutualTls(ending).renewCertificate(request(hostId, new byte[] {0x30, 0x03, 1})),
        Status.Code.INVALID_ARGUMENT, "csr_der");
  }

  @Test
  void anAgentAskingOverAndOverIsRateLimited() throws Exception {
    AgentCredentials fresh = controller.enrolled("agent");
    String hostId = fresh.hostId().orElseThrow();
    byte[] csr = CertificateRequests.create(Certificates.newKeyPair(), hostId);
    ControllerClient client = controller.mutualTls(fresh);
    for (int i = 0; i < CertificateRenewal.RATE.burst(); i++) {
      assertRefused(() -> client.renewCertificate(request(hostId, csr)), Status.Code.FAILED_PRECONDITION, "");
    }

    assertRefused(() -> client.renewCertificate(request(hostId, csr)), Status.Code.RESOURCE_EXHAUSTED, "rate limit");
  }

  @Test
  void theEnrolmentPortDoesNotRenew() throws Exception {
    AgentCredentials ending = enrolledEndingIn(dir.resolve("agent"), Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    byte[] csr = CertificateRequests.create(Certificates.newKeyPair(), hostId);

    assertRefused(() -> controller.enrolmentPort().renewCertificate(request(hostId, csr)),
        Status.Code.UNIMPLEMENTED, "");
  }

  @Test
  void aRunningAgentRenewsOnItsHeartbeatAndDeliversItsNextScanWithTheNewCertificate() throws Exception {
    Path state = dir.resolve("agent");
    AgentCredentials ending = enrolledEndingIn(state, Duration.ofDays(10));
    AgentConfig config = AgentConfig.defaults()
        .withController(controller.agentTarget(), false)
        .withStateDir(state)
        .withScanRoot(dir.resolve("agent"));

    agent = AgentRuntime.start(config, Clock.systemUTC());

    await().atMost(Duration.ofSeconds(30)).until(() -> AgentCredentials.load(state).orElseThrow().certificate()
        .getNotAfter().after(ending.certificate().getNotAfter()));
    agent.scanNow(ScanPlan.full("after-renewal")).orElseThrow().join();
    await().atMost(Duration.ofSeconds(30)).until(() -> controller.runtime.store().host(agent.hostId())
        .flatMap(h -> h.lastFullScan()).isPresent());
  }
}
