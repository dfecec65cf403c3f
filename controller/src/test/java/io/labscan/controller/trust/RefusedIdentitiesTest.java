package io.labscan.controller.trust;

import static io.labscan.controller.trust.SecureController.heartbeat;
import static io.labscan.controller.trust.SecureController.hostId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.trust.Certificates;
import io.labscan.controller.TestReports;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: "no machine may speak for another." The identities {@link MutualTlsTest} does not
 * cover: a revoked host on a fresh connection and after a controller restart, a certificate
 * not yet valid, a certificate stolen without its key, a certificate of the controller's own
 * CA that names no host, and the calls besides Report and Heartbeat made for another host.
 *
 * <p>Where each refusal happens: certificates the CA did not issue, outside their validity,
 * or presented without their key never complete the TLS handshake (the client sees
 * UNAVAILABLE). Revocation is a list of host ids, not a CRL: a revoked host's certificate
 * still completes the handshake, and every call on that connection is refused
 * UNAUTHENTICATED by the identity interceptor before any service code runs.
 */
class RefusedIdentitiesTest {
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

  private static Report scan(String hostId) {
    return TestReports.fullScan(hostId, "lab-pc-07", Instant.now(), 1, "10.20.3.17");
  }

  private static void assertRefused(ThrowingCallable call, Status.Code code, String description) {
    assertThatThrownBy(call).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
      assertThat(e.getStatus().getCode()).isEqualTo(code);
      assertThat(String.valueOf(e.getStatus().getDescription())).contains(description);
    });
  }

  @Test
  void aRevokedHostIsRefusedOnAFreshConnectionAndNothingItSendsIsStored() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    controller.runtime.store().revoke(hostId(agent), "stolen laptop", Instant.now()).join();
    controller.runtime.refreshRevocations();

    assertRefused(() -> controller.mutualTls(agent).report(scan(hostId(agent))), Status.Code.UNAUTHENTICATED,
        "certificate of host " + hostId(agent) + " was revoked");
    assertThat(controller.runtime.store().reportCount()).isZero();
  }

  @Test
  void revocationHoldsFromTheFirstCallAfterAControllerRestart() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    controller.runtime.store().revoke(hostId(agent), "stolen laptop", Instant.now()).join();
    controller.close();
    controller = new SecureController(dir);

    assertRefused(() -> controller.mutualTls(agent).report(scan(hostId(agent))), Status.Code.UNAUTHENTICATED,
        "was revoked");
    assertThat(controller.runtime.store().reportCount()).isZero();
  }

  @Test
  void aCertificateNotYetValidIsRefusedAtTheHandshake() {
    KeyPair keys = Certificates.newKeyPair();
    String hostId = TestReports.newHostId();
    Instant now = Instant.now();
    AgentCredentials early = new AgentCredentials(keys.getPrivate(),
        controller.ca().issueClient(keys.getPublic(), hostId, now.plus(Duration.ofDays(2)),
            now.plus(Duration.ofDays(30))),
        controller.ca().certificate());

    assertRefused(() -> controller.mutualTls(early).report(scan(hostId)), Status.Code.UNAVAILABLE, "");
    assertThat(controller.runtime.store().reportCount()).isZero();
  }

  @Test
  void aNeighboursCertificateWithoutItsKeyIsRefusedAtTheHandshake() throws Exception {
    // agent.crt is world-readable on every lab machine; agent.key is not.
    AgentCredentials neighbour = controller.enrolled("neighbour");
    AgentCredentials stolen = new AgentCredentials(Certificates.newKeyPair().getPrivate(), neighbour.certificate(),
        controller.ca().certificate());

    assertRefused(() -> controller.mutualTls(stolen).report(scan(hostId(neighbour))), Status.Code.UNAVAILABLE, "");
    assertThat(controller.runtime.store().reportCount()).isZero();
  }

  @Test
  void aCertificateOfTheControllersCaThatNamesNoHostIsRefused() {
    KeyPair keys = Certificates.newKeyPair();
    AgentCredentials nameless = new AgentCredentials(keys.getPrivate(),
        controller.ca().issueClient(keys.getPublic(), "lab-pc-07"), controller.ca().certificate());

    assertRefused(() -> controller.mutualTls(nameless).heartbeat(heartbeat(TestReports.newHostId())),
        Status.Code.UNAUTHENTICATED, "no agent certificate naming a host id");
  }

  @Test
  void aCommandStreamOpenedForAnotherHostIsPermissionDenied() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    String neighbour = hostId(controller.enrolled("neighbour"));
    AtomicReference<Throwable> refused = new AtomicReference<>();

    controller.mutualTls(agent).commands(neighbour, new StreamObserver<>() {
      @Override
      public void onNext(Command command) {
        refused.set(new AssertionError("received a command meant for " + neighbour));
      }

      @Override
      public void onError(Throwable t) {
        refused.set(t);
      }

      @Override
      public void onCompleted() {
        refused.set(new AssertionError("stream completed"));
      }
    });

    await().atMost(Duration.ofSeconds(15)).until(() -> refused.get() != null);
    assertThat(Status.fromThrowable(refused.get()).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(controller.runtime.commands().connectedHosts()).doesNotContain(neighbour);
  }

  @Test
  void anEnrolCallForAnotherHostOnTheAgentPortIsPermissionDenied() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    String neighbour = hostId(controller.enrolled("neighbour"));

    assertRefused(() -> controller.mutualTls(agent).enroll(EnrollRequest.newBuilder().setHostId(neighbour)
        .setHostname("lab-pc-08").setAgentVersion("0.1.0").build()), Status.Code.PERMISSION_DENIED, neighbour);
  }
}
