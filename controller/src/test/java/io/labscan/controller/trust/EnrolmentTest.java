package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.Enrolment;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.trust.CertificateRequests;
import io.labscan.contract.trust.Certificates;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.HeartbeatRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Enrolment over the TLS enrolment port, then mutual TLS, against a real controller on loopback. */
class EnrolmentTest {
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

  private Path agentState(String name) {
    return dir.resolve(name);
  }

  @Test
  void anAgentEnrolledWithATokenDeliversItsScanOverMutualTls() throws Exception {
    Path state = agentState("agent");
    controller.enrol(state, controller.token("chemistry-lab", 1));
    AgentConfig config = AgentConfig.defaults()
        .withController(controller.agentTarget(), false)
        .withStateDir(state)
        .withLab("physics-lab")
        .withScanRoot(dir.resolve("agent"));

    agent = AgentRuntime.start(config, Clock.systemUTC());
    agent.scanNow(ScanPlan.full("test")).orElseThrow().join();

    await().atMost(Duration.ofSeconds(30)).until(() -> controller.runtime.store().host(agent.hostId())
        .flatMap(h -> h.lastFullScan()).isPresent());
    assertThat(controller.runtime.store().host(agent.hostId())).hasValueSatisfying(h -> {
      assertThat(h.lab()).as("the token's lab wins over the lab the agent claims").isEqualTo("chemistry-lab");
      assertThat(h.lastFullScan()).isPresent();
    });
  }

  @Test
  void enrolmentStoresACertificateNamingTheHostIssuedByTheControllersCa() throws Exception {
    Path state = agentState("agent");

    Enrolment.Result result = controller.enrol(state, controller.token("", 1));

    AgentCredentials stored = AgentCredentials.load(state).orElseThrow();
    assertThat(stored.hostId()).contains(HostIdentity.loadOrCreate(state));
    assertThat(stored.ca()).isEqualTo(controller.ca().certificate());
    assertThat(stored.certificate()).isEqualTo(result.credentials().certificate());
    assertThat(stored.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(result.policy()).hasValueSatisfying(p -> assertThat(p.getVersion()).isEqualTo(1));
  }

  @Test
  void theAgentKeyFileIsReadableByItsOwnerOnly() throws Exception {
    Path state = agentState("agent");

    controller.enrol(state, controller.token("", 1));

    assertThat(Files.getPosixFilePermissions(state.resolve(AgentCredentials.KEY_FILE)))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void aTokenIsRefusedOnceItsUsesAreSpent() throws Exception {
    EnrolmentToken token = controller.token("", 2);
    controller.enrol(agentState("first"), token);
    controller.enrol(agentState("second"), token);

    assertThatThrownBy(() -> controller.enrol(agentState("third"), token))
        .isInstanceOfSatisfying(EnrolmentException.class, e -> {
          assertThat(e.getMessage()).contains("token used up");
          assertThat(e.retryable()).isFalse();
        });
    assertThat(AgentCredentials.present(agentState("third"))).isFalse();
  }

  @Test
  void anExpiredTokenIsRefused() {
    EnrolmentToken token = controller.tokenIssuedAt("", 1, Instant.now().minus(Duration.ofHours(2)),
        Duration.ofHours(1));

    assertThatThrownBy(() -> controller.enrol(agentState("agent"), token))
        .isInstanceOf(EnrolmentException.class)
        .hasMessageContaining("token expired");
  }

  @Test
  void aTokenTheControllerNeverIssuedIsRefused() {
    EnrolmentToken forged = EnrolmentToken.generate(controller.ca().fingerprint());

    assertThatThrownBy(() -> controller.enrol(agentState("agent"), forged))
        .isInstanceOf(EnrolmentException.class)
        .hasMessageContaining("unknown token");
  }

  @Test
  void aTokenPinnedToAnotherCaMakesTheAgentRefuseTheServerWithoutSpendingIt() throws Exception {
    EnrolmentToken real = controller.token("", 1);
    String otherCa = CertificateAuthority.loadOrCreate(dir.resolve("other-pki"), Clock.systemUTC()).fingerprint();
    EnrolmentToken pinnedElsewhere = new EnrolmentToken(real.tokenId(), real.secret(), otherCa);

    assertThatThrownBy(() -> controller.enrol(agentState("agent"), pinnedElsewhere))
        .isInstanceOfSatisfying(EnrolmentException.class, e -> {
          assertThat(e.getMessage()).contains("does not match the fingerprint pinned in the token");
          assertThat(e.retryable()).isFalse();
        });
    assertThat(AgentCredentials.present(agentState("agent"))).isFalse();
    controller.enrol(agentState("agent"), real); // the secret never reached the controller
  }

  @Test
  void aMalformedCertificateRequestIsInvalidAndDoesNotSpendTheToken() throws Exception {
    EnrolmentToken token = controller.token("", 1);
    ControllerClient raw = controller.enrolmentPort();

    assertThatThrownBy(() -> raw.enroll(EnrollRequest.newBuilder()
            .setHostId(TestReports.newHostId())
            .setHostname("lab-pc-07")
            .setToken(token.text())
            .setCsrDer(ByteString.copyFromUtf8("-----BEGIN CERTIFICATE REQUEST----- not DER"))
            .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("csr_der:");
        });
    controller.enrol(agentState("agent"), token);
  }

  @Test
  void aCertificateRequestForAnotherHostIdIsInvalid() {
    EnrolmentToken token = controller.token("", 1);
    byte[] csrForSomebodyElse = CertificateRequests.create(Certificates.newKeyPair(), TestReports.newHostId());

    assertThatThrownBy(() -> controller.enrolmentPort().enroll(EnrollRequest.newBuilder()
            .setHostId(TestReports.newHostId())
            .setHostname("lab-pc-07")
            .setToken(token.text())
            .setCsrDer(ByteString.copyFrom(csrForSomebodyElse))
            .build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("CN=");
        });
  }

  @Test
  void theEnrolmentPortServesNothingButEnroll() {
    assertThatThrownBy(() -> controller.enrolmentPort().heartbeat(HeartbeatRequest.newBuilder()
            .setHostId(TestReports.newHostId()).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void anAgentEnrollingAgainWithATokenBecomesANewHostAndTheOldIdKeepsItsCertificate() throws Exception {
    Path state = agentState("agent");
    Enrolment.Result first = controller.enrol(state, controller.token("", 1));
    String oldId = first.credentials().hostId().orElseThrow();
    EnrolmentToken second = controller.token("", 1);

    Enrolment.Result again = controller.enrol(state, second);

    assertThat(again.credentials().hostId()).isPresent().get().isNotEqualTo(oldId);
    assertThat(HostIdentity.loadOrCreate(state)).isEqualTo(again.credentials().hostId().orElseThrow());
    assertThat(controller.runtime.store().certificate(oldId)).hasValueSatisfying(c -> assertThat(c.serial())
        .isEqualTo(first.credentials().certificate().getSerialNumber().toString(16)));
  }
}
