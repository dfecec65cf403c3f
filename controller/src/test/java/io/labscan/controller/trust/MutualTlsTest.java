package io.labscan.controller.trust;

import static io.labscan.controller.trust.SecureController.heartbeat;
import static io.labscan.controller.trust.SecureController.hostId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.trust.Certificates;
import io.labscan.controller.TestReports;
import io.labscan.controller.cli.ControllerMain;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent port: who may connect, and every call bound to the host its certificate names. */
class MutualTlsTest {
  @TempDir Path dir;
  private SecureController controller;

  @BeforeEach
  void start() {
    controller = new SecureController(dir);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  private static void assertRefused(Runnable call, Status.Code code) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
  }

  @Test
  void anEnrolledAgentsHeartbeatIsAccepted() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");

    var response = controller.mutualTls(agent).heartbeat(heartbeat(hostId(agent)));

    assertThat(response.getPolicyVersion()).isEqualTo(1);
  }

  @Test
  void aClientWithoutCertificateIsRefusedOnTheAgentPort() {
    assertRefused(() -> controller.withoutCertificate().heartbeat(heartbeat(TestReports.newHostId())),
        Status.Code.UNAVAILABLE);
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedAtTheHandshake() {
    CertificateAuthority other = CertificateAuthority.loadOrCreate(dir.resolve("other-pki"), Clock.systemUTC());
    KeyPair keys = Certificates.newKeyPair();
    String hostId = TestReports.newHostId();
    AgentCredentials foreign = new AgentCredentials(keys.getPrivate(),
        other.issueClient(keys.getPublic(), hostId), controller.ca().certificate());

    assertRefused(() -> controller.mutualTls(foreign).heartbeat(heartbeat(hostId)), Status.Code.UNAVAILABLE);
    assertThat(controller.runtime.store().host(hostId)).isEmpty();
  }

  @Test
  void anExpiredClientCertificateIsRefusedAtTheHandshake() {
    KeyPair keys = Certificates.newKeyPair();
    String hostId = TestReports.newHostId();
    Instant now = Instant.now();
    AgentCredentials expired = new AgentCredentials(keys.getPrivate(),
        controller.ca().issueClient(keys.getPublic(), hostId, now.minus(Duration.ofDays(400)),
            now.minus(Duration.ofDays(35))),
        controller.ca().certificate());

    assertRefused(() -> controller.mutualTls(expired).heartbeat(heartbeat(hostId)), Status.Code.UNAVAILABLE);
  }

  @Test
  void aReportForAnotherHostIsPermissionDeniedAndNotStored() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    Report forged = TestReports.fullScan(TestReports.newHostId(), "lab-pc-08", Instant.now(), 1, "10.20.3.18");

    assertThatThrownBy(() -> controller.mutualTls(agent).report(forged))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
          assertThat(e.getStatus().getDescription()).contains(hostId(agent))
              .contains(forged.getInventory().getHostId());
        });
    assertThat(controller.runtime.store().reportCount()).isZero();
  }

  @Test
  void aHeartbeatForAnotherHostIsPermissionDenied() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    String neighbour = hostId(controller.enrolled("neighbour"));

    assertRefused(() -> controller.mutualTls(agent).heartbeat(heartbeat(neighbour)), Status.Code.PERMISSION_DENIED);
  }

  @Test
  void aReportForItsOwnHostIsStored() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");

    controller.mutualTls(agent).report(TestReports.fullScan(hostId(agent), "lab-pc-07", Instant.now(), 1,
        "10.20.3.17"));

    assertThat(controller.runtime.store().reportCount()).isEqualTo(1);
  }

  @Test
  void aRevokedHostsNextCallFailsUnauthenticated() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    ControllerClient client = controller.mutualTls(agent);
    client.heartbeat(heartbeat(hostId(agent)));

    int exit = ControllerMain.commandLine().execute("revoke", "--db", dir.resolve("controller.db").toString(),
        hostId(agent));

    assertThat(exit).isZero();
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThatThrownBy(() -> client.heartbeat(heartbeat(hostId(agent))))
            .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("certificate of host " + hostId(agent) + " was revoked");
            }));
  }

  @Test
  void revokingAHostClosesItsCommandStream() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    AtomicReference<Throwable> closed = new AtomicReference<>();
    controller.mutualTls(agent).commands(hostId(agent), new StreamObserver<>() {
      @Override
      public void onNext(Command value) {}

      @Override
      public void onError(Throwable t) {
        closed.set(t);
      }

      @Override
      public void onCompleted() {
        closed.set(new IllegalStateException("completed instead of failing"));
      }
    });
    await().atMost(Duration.ofSeconds(15))
        .until(() -> controller.runtime.commands().connectedHosts().contains(hostId(agent)));

    controller.runtime.store().revoke(hostId(agent), "stolen laptop", Instant.now()).join();

    await().atMost(Duration.ofSeconds(15)).until(() -> closed.get() != null);
    assertThat(Status.fromThrowable(closed.get()).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void aRevokedHostIdNeverEnrolsAgainTheMachineEnrolsAsANewHost() throws Exception {
    Path state = dir.resolve("agent");
    AgentCredentials agent = controller.enrolled("agent");
    controller.runtime.store().revoke(hostId(agent), "", Instant.now()).join();

    AgentCredentials again = controller.enrol(state, controller.token("", 1)).credentials();

    assertThat(hostId(again)).isNotEqualTo(hostId(agent));
  }
}
