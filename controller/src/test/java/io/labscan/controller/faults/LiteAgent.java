package io.labscan.controller.faults;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.Enrolment;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.transport.ReportSender;
import io.labscan.agent.transport.Spool;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Instant;

/**
 * One lab machine's agent without its scanners: its own state folder, host id, key and
 * certificate (enrolled with a token, as {@code labscan-agent enroll} does), its own durable
 * spool, and the agent's real {@link ReportSender} delivering over mutual TLS. What it
 * reports is made up ({@link FaultReports}); how it delivers is the product's code.
 */
final class LiteAgent implements AutoCloseable {
  private final int number;
  private final String hostId;
  private final String hostname;
  private final Spool spool;
  private final ControllerClient client;
  private final ReportSender sender;
  private final DeliveryLedger ledger;

  private LiteAgent(int number, String hostId, String hostname, Spool spool, ControllerClient client,
      DeliveryLedger ledger) {
    this.number = number;
    this.hostId = hostId;
    this.hostname = hostname;
    this.spool = spool;
    this.client = client;
    this.ledger = ledger;
    this.sender = new ReportSender(spool, client);
  }

  /** Enrols the machine numbered {@code number} with {@code token} and starts its sender. */
  static LiteAgent enrol(int number, Path stateDir, EnrolmentToken token, String enrolTarget, String agentTarget,
      DeliveryLedger ledger) throws EnrolmentException {
    requireNonNull(ledger, "ledger");
    String hostId = HostIdentity.loadOrCreate(stateDir);
    String hostname = String.format("lab-pc-%03d", number);
    // As the real agent (AgentEnrolment): a refusal for now (e.g. the enrolment port's rate
    // limit while a whole fleet enrols from one address) is retried after a pause.
    Enrolment.Result enrolled = null;
    for (int attempt = 1; enrolled == null; attempt++) {
      try {
        enrolled = Enrolment.enroll(enrolTarget, token, hostId, hostname, "0.1.0", stateDir);
      } catch (EnrolmentException e) {
        if (!e.retryable() || attempt >= 60) {
          throw e;
        }
        try {
          Thread.sleep(250L * Math.min(attempt, 8));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    ControllerClient client = new ControllerClient(
        new RecordingChannel(GrpcChannels.mutualTls(agentTarget, enrolled.credentials()), ledger));
    LiteAgent agent = new LiteAgent(number, hostId, hostname, Spool.open(stateDir), client, ledger);
    agent.sender.start();
    return agent;
  }

  int number() {
    return number;
  }

  String hostId() {
    return hostId;
  }

  /**
   * Produces the next report (sequence from the spool, as the agent's scanner does) and
   * hands it to the sender, which spools it durably before returning.
   */
  Report report(Instant at, int findings) {
    Report report = FaultReports.scan(hostId, hostname, number, spool.nextSequence(), at, findings);
    ledger.produced(report);
    sender.submit(report);
    return report;
  }

  /** A heartbeat as the agent runtime sends it: when it gets through, the sender is woken. */
  void heartbeat() {
    try {
      client.heartbeat(HeartbeatRequest.newBuilder()
          .setHostId(hostId)
          .setSent(Timestamps.fromMillis(System.currentTimeMillis()))
          .setAgentVersion("0.1.0")
          .setPolicyVersion(1)
          .setSpooledReports(spool.size())
          .build());
      sender.poke();
    } catch (RuntimeException e) {
      // The controller is down or refusing: the next heartbeat tries again.
    }
  }

  /** Reports waiting in this agent's spool. */
  long spooled() {
    return spool.size();
  }

  @Override
  public void close() {
    sender.close();
    client.close();
    spool.close();
  }
}
