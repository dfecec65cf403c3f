package io.labscan.controller.trust;

import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.Enrolment;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.agent.trust.PinnedCaTrustManager;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.proto.v1.HeartbeatRequest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/** A controller in its default, secure mode on loopback, with helpers to enrol agents against it. */
final class SecureController implements AutoCloseable {
  final Path dir;
  final ControllerRuntime runtime;
  private final List<ControllerClient> clients = new ArrayList<>();

  SecureController(Path dir, RateLimiter.Rate reportRate) {
    this.dir = dir;
    this.runtime = ControllerRuntime.start(new ControllerRuntime.Options(dir.resolve("controller.db"), "127.0.0.1",
        0, false, OptionalInt.empty(), List.of(), reportRate), Clock.systemUTC());
  }

  /** A controller started with {@code options} (database in {@code dir}) on {@code clock}. */
  SecureController(Path dir, ControllerRuntime.Options options, Clock clock) {
    this.dir = dir;
    this.runtime = ControllerRuntime.start(options, clock);
  }

  SecureController(Path dir) {
    this(dir, RateLimiter.Rate.reportDefault());
  }

  CertificateAuthority ca() {
    return runtime.certificateAuthority().orElseThrow();
  }

  String agentTarget() {
    return "127.0.0.1:" + runtime.grpcPort();
  }

  String enrolTarget() {
    return "127.0.0.1:" + runtime.enrollPort().orElseThrow();
  }

  EnrolmentToken token(String lab, int uses) {
    return tokenIssuedAt(lab, uses, Instant.now(), Duration.ofHours(1));
  }

  EnrolmentToken tokenIssuedAt(String lab, int uses, Instant issued, Duration ttl) {
    return new EnrolmentTokens(runtime.store(), ca().fingerprint()).issue(lab, ttl, uses, issued);
  }

  /** Enrols the agent whose state folder is {@code stateDir}, as the agent itself does. */
  Enrolment.Result enrol(Path stateDir, EnrolmentToken token) throws EnrolmentException {
    return Enrolment.enroll(enrolTarget(), token, HostIdentity.loadOrCreate(stateDir), "lab-pc-07", "test",
        stateDir);
  }

  /**
   * Enrols a new agent whose state folder is {@code name} in the controller's folder, with a
   * one-use token for no lab; its credentials.
   */
  AgentCredentials enrolled(String name) throws EnrolmentException {
    return enrol(dir.resolve(name), token("", 1)).credentials();
  }

  /** The host id {@code credentials}' certificate names. */
  static String hostId(AgentCredentials credentials) {
    return credentials.hostId().orElseThrow();
  }

  /** A heartbeat for {@code hostId}. */
  static HeartbeatRequest heartbeat(String hostId) {
    return HeartbeatRequest.newBuilder().setHostId(hostId).build();
  }

  /** A client on the agent port presenting {@code credentials}. */
  ControllerClient mutualTls(AgentCredentials credentials) {
    return track(new ControllerClient(GrpcChannels.mutualTls(agentTarget(), credentials)));
  }

  /** A client on the agent port that trusts the controller but presents no certificate. */
  ControllerClient withoutCertificate() {
    return track(new ControllerClient(GrpcChannels.enrolment(agentTarget(), new PinnedCaTrustManager(ca().fingerprint()))));
  }

  /** A raw client on the enrolment port. */
  ControllerClient enrolmentPort() {
    return track(new ControllerClient(GrpcChannels.enrolment(enrolTarget(), new PinnedCaTrustManager(ca().fingerprint()))));
  }

  private ControllerClient track(ControllerClient client) {
    clients.add(client);
    return client;
  }

  @Override
  public void close() {
    clients.forEach(ControllerClient::close);
    runtime.close();
  }
}
