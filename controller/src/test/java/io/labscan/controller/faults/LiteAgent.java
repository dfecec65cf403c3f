package io.labscan.controller.faults;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.SynchronizationContext;
import io.labscan.agent.CommandListener;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.ControllerTargets;
import io.labscan.agent.transport.Enrolment;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.transport.ReportSender;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;

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
  /** Commands received on the command stream, in arrival order. */
  private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
  private Optional<CommandListener> listener = Optional.empty();

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
    Enrolment.Result enrolled = enrolWithRetries(number, stateDir, token, enrolTarget, hostId);
    // The controller may assign another id (a retried enrolment whose first try it had completed
    // counts as a new machine); Enrolment stores it, and the certificate names it.
    hostId = HostIdentity.loadOrCreate(stateDir);
    ControllerClient client = new ControllerClient(
        new RecordingChannel(GrpcChannels.mutualTls(agentTarget, enrolled.credentials()), ledger));
    LiteAgent agent = new LiteAgent(number, hostId, String.format("lab-pc-%03d", number), Spool.open(stateDir), client,
        ledger);
    agent.sender.start();
    return agent;
  }

  /**
   * As {@link #enrol(int, Path, EnrolmentToken, String, String, DeliveryLedger)}, for an agent
   * configured with several controllers ({@code agentTargets}, in the order it tries them): the
   * agent's own failover client ({@link ControllerClient#failingOver}) and, as the agent runtime
   * does, a {@link CommandListener} keeping the command stream open on whichever controller the
   * client uses ({@code background} schedules its reconnections).
   */
  static LiteAgent enrolFailingOver(int number, Path stateDir, EnrolmentToken token, String enrolTarget,
      List<String> agentTargets, DeliveryLedger ledger, ScheduledExecutorService background)
      throws EnrolmentException {
    requireNonNull(ledger, "ledger");
    requireNonNull(background, "background");
    String hostId = HostIdentity.loadOrCreate(stateDir);
    Enrolment.Result enrolled = enrolWithRetries(number, stateDir, token, enrolTarget, hostId);
    // The controller may assign another id (a retried enrolment whose first try it had completed
    // counts as a new machine); Enrolment stores it, and the certificate names it.
    hostId = HostIdentity.loadOrCreate(stateDir);
    AgentCredentials credentials = enrolled.credentials();
    ControllerClient client = ControllerClient.failingOver(
        new ControllerTargets(agentTargets, ControllerTargets.Resolver.SYSTEM),
        target -> new RecordingChannel(GrpcChannels.mutualTls(target, credentials), ledger));
    LiteAgent agent = new LiteAgent(number, hostId, String.format("lab-pc-%03d", number), Spool.open(stateDir), client,
        ledger);
    // As AgentRuntime: a failover wakes the sender, which delivers the spool to the new controller.
    client.onFailover(agent.sender::poke);
    agent.sender.start();
    SynchronizationContext serial = new SynchronizationContext((thread, e) ->
        System.err.println("lite agent " + number + ": " + e));
    CommandListener commands = new CommandListener(serial, client, hostId, background, agent.commands::add);
    agent.listener = Optional.of(commands);
    commands.start();
    return agent;
  }

  private static Enrolment.Result enrolWithRetries(int number, Path stateDir, EnrolmentToken token,
      String enrolTarget, String hostId) throws EnrolmentException {
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
    return enrolled;
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

  /** The controller this agent's client uses now ({@code HOST:PORT}). */
  String controller() {
    return client.target();
  }

  /** Commands received on the command stream so far. */
  List<Command> commands() {
    return List.copyOf(commands);
  }

  /** Reports waiting in this agent's spool. */
  long spooled() {
    return spool.size();
  }

  @Override
  public void close() {
    listener.ifPresent(CommandListener::close);
    sender.close();
    client.close();
    spool.close();
  }
}
