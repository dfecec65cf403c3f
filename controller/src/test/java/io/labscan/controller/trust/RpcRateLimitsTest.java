package io.labscan.controller.trust;

import io.labscan.controller.grpc.EnrolmentService;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.agent.trust.PinnedCaTrustManager;
import io.labscan.controller.TestReports;
import io.labscan.controller.grpc.CallRateLimits;
import io.labscan.controller.grpc.GrpcServers;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.RenewCertificateRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every RPC, not only Report, is rate-limited: per host on the agents' port, per address and token on enrolment. */
class RpcRateLimitsTest {
  @TempDir Path dir;
  private SecureController controller;
  private final List<Server> extraServers = new ArrayList<>();
  private final List<ControllerClient> extraClients = new ArrayList<>();

  @BeforeEach
  void start() {
    controller = new SecureController(dir);
  }

  @AfterEach
  void stop() {
    extraClients.forEach(ControllerClient::close);
    extraServers.forEach(Server::shutdownNow);
    controller.close();
  }

  /** The status codes of {@code calls} calls, in order. */
  private static List<Status.Code> codes(int calls, Supplier<Object> call) {
    List<Status.Code> codes = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      try {
        Object unused = call.get(); // the call's answer does not matter, only whether it was refused
        codes.add(Status.Code.OK);
      } catch (StatusRuntimeException e) {
        codes.add(e.getStatus().getCode());
      }
    }
    return codes;
  }

  @Test
  void enrollingOverAndOverOnTheAgentPortIsResourceExhaustedAfterTheBurst() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    String hostId = agent.hostId().orElseThrow();
    ControllerClient client = controller.mutualTls(agent);
    EnrollRequest noHostname = EnrollRequest.newBuilder().setHostId(hostId).build();

    List<Status.Code> codes = codes(CallRateLimits.RENEWAL.burst() + 3, () -> client.enroll(noHostname));

    assertThat(codes.subList(0, CallRateLimits.RENEWAL.burst())).containsOnly(Status.Code.INVALID_ARGUMENT);
    assertThat(codes.subList(CallRateLimits.RENEWAL.burst(), codes.size()))
        .containsOnly(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void renewingOverAndOverIsResourceExhausted() throws Exception {
    AgentCredentials agent = controller.enrolled("agent");
    ControllerClient client = controller.mutualTls(agent);
    RenewCertificateRequest garbage = RenewCertificateRequest.newBuilder().setHostId(agent.hostId().orElseThrow())
        .setCsrDer(ByteString.copyFromUtf8("not a CSR")).build();

    List<Status.Code> codes = codes(CallRateLimits.RENEWAL.burst() + 3, () -> client.renewCertificate(garbage));

    assertThat(codes.subList(codes.size() - 3, codes.size())).containsOnly(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void aHeartbeatFloodIsResourceExhaustedAndDoesNotLimitAnotherHost() throws Exception {
    AgentCredentials flooder = controller.enrolled("flooder");
    AgentCredentials honest = controller.enrolled("honest");
    ControllerClient flooding = controller.mutualTls(flooder);
    HeartbeatRequest beat = HeartbeatRequest.newBuilder().setHostId(flooder.hostId().orElseThrow()).build();

    // Far more than the burst plus any refill while they are sent.
    List<Status.Code> codes = codes(CallRateLimits.HEARTBEAT.burst() * 10, () -> flooding.heartbeat(beat));

    assertThat(codes).contains(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(controller.mutualTls(honest).heartbeat(HeartbeatRequest.newBuilder()
        .setHostId(honest.hostId().orElseThrow()).build()).hasServerTime()).isTrue();
  }

  @Test
  void theEnrolmentPortLimitsOneClientAddress() {
    EnrolmentToken token = controller.token("", 1);
    ControllerClient raw = controller.enrolmentPort();
    EnrollRequest malformed = EnrollRequest.newBuilder().setHostId(TestReports.newHostId()).setHostname("lab-pc-07")
        .setToken(token.text()).setCsrDer(ByteString.copyFromUtf8("not a CSR")).build();

    List<Status.Code> codes = codes(CallRateLimits.ENROL_PER_ADDRESS.burst() * 3, () -> raw.enroll(malformed));

    assertThat(codes.subList(0, CallRateLimits.ENROL_PER_ADDRESS.burst())).containsOnly(Status.Code.INVALID_ARGUMENT);
    assertThat(codes).contains(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void theEnrolmentPortLimitsEnrollCallsNamingOneTokenWhateverTheAddress() {
    CertificateAuthority ca = controller.ca();
    Server port = GrpcServers.enrolment("127.0.0.1", 0,
        ca.serverIdentity(ServerNames.withDefaults(List.of())).keyManager(),
        CallRateLimits.enrolmentPort(new RateLimiter.Rate(1000, 1000), new RateLimiter.Rate(0.0001, 2)),
        new EnrolmentService(ca, controller.runtime.store(), controller.runtime.policies(), Clock.systemUTC()));
    extraServers.add(port);
    ControllerClient raw = new ControllerClient(GrpcChannels.enrolment("127.0.0.1:" + port.getPort(),
        new PinnedCaTrustManager(ca.fingerprint())));
    extraClients.add(raw);
    EnrolmentToken guessed = controller.token("", 1);
    EnrolmentToken other = controller.token("", 1);
    Supplier<Object> guess = () -> raw.enroll(EnrollRequest.newBuilder().setHostId(TestReports.newHostId())
        .setHostname("lab-pc-07").setToken(new EnrolmentToken(guessed.tokenId(), other.secret(),
            guessed.caFingerprint()).text()).setCsrDer(ByteString.copyFromUtf8("not a CSR")).build());

    List<Status.Code> codes = codes(4, guess);

    // The wrong secret is refused before the request is read (the token is checked first).
    assertThat(codes).containsExactly(Status.Code.UNAUTHENTICATED, Status.Code.UNAUTHENTICATED,
        Status.Code.RESOURCE_EXHAUSTED, Status.Code.RESOURCE_EXHAUSTED);
    assertThat(codes(1, () -> raw.enroll(EnrollRequest.newBuilder().setHostId(TestReports.newHostId())
        .setHostname("lab-pc-07").setToken(other.text()).setCsrDer(ByteString.copyFromUtf8("not a CSR")).build())))
        .as("another token is not slowed").containsExactly(Status.Code.INVALID_ARGUMENT);
  }
}
