package io.labscan.agent;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.EgressReports;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.PolicyDefaults;
import io.labscan.agent.inventory.AddressWatch;
import io.labscan.agent.inventory.InventoryCollector;
import io.labscan.agent.quarantine.QuarantineReports;
import io.labscan.agent.quarantine.SmtpQuarantine;
import io.labscan.agent.schedule.AgentScheduler;
import io.labscan.agent.schedule.NightlyScanPlanner;
import io.labscan.agent.schedule.NightlyScans;
import io.labscan.agent.schedule.ScanGate;
import io.labscan.agent.schedule.ScheduleStateStore;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.CredentialRenewal;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.transport.ReportSender;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.worker.ScanMode;
import io.labscan.agent.worker.ScanRunner;
import io.labscan.agent.worker.ScanRunners;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.EnrollResponse;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running agent: identity, spool, connection to the controller, schedules, and one scan
 * at a time, run where its {@link ScanMode} says. {@code labscan-agent run} is this class plus
 * signal handling and scans in a worker process; the controller's demo runs one in-process.
 */
public final class AgentRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

  private final AgentConfig config;
  private final Clock clock;
  private final String hostId;
  private final Spool spool;
  private final String target;
  private final ControllerClient client;
  /** Renews the agent's certificate before it ends; empty on a plaintext connection. */
  private final Optional<CredentialRenewal> renewal;
  private final ReportSender sender;
  private final ScanRunner scanRunner;
  private final AgentScheduler scheduler;
  private final ExecutorService scanWorker;
  private final ScheduledExecutorService background;
  private final ScanGate scanGate = new ScanGate();
  private final ScheduleStateStore scheduleState;
  /** The SMTP egress watch; replaced under its own lock when a policy changes it. */
  private final EgressSupervision egress;
  /** The SMTP quarantine (docs/egress.md, "Quarantine"): orders from the controller, kept in the state folder. */
  private final SmtpQuarantine quarantine;
  /**
   * Held while a policy is compared with the current one and applied (schedules and egress watch
   * restarted): pushes, heartbeat answers and enrolment deliver policies from different threads.
   */
  private final Object policyLock = new Object();
  private final AtomicReference<Policy> policy = new AtomicReference<>(PolicyDefaults.defaults());
  private final AddressWatch addresses;
  /** Cancels the open command stream; nothing while none is open. */
  private volatile AutoCloseable commandStream = () -> { };
  private volatile boolean closed;

  private AgentRuntime(AgentConfig config, Clock clock, AddressWatch addresses, ScanRunners.Factory runners) {
    this.config = config;
    this.addresses = addresses;
    this.clock = clock;
    this.target = config.controller().orElseThrow(() -> new IllegalArgumentException(
        "No controller address: set 'controller: HOST:PORT' in the config file."));
    this.hostId = HostIdentity.loadOrCreate(config.stateDir());
    Optional<AgentCredentials> credentials = credentials(config, hostId);
    this.client = new ControllerClient(credentials
        .map(c -> GrpcChannels.mutualTls(target, c))
        .orElseGet(() -> GrpcChannels.plaintext(target)));
    this.renewal = credentials.map(c -> new CredentialRenewal(config.stateDir(), hostId, c, clock));
    this.spool = Spool.open(config.stateDir());
    this.sender = new ReportSender(spool, client);
    this.scanRunner = runners.create(hostId, config, clock);
    this.scheduler = new AgentScheduler();
    this.scheduleState = new ScheduleStateStore(config.stateDir(), clock);
    this.egress = new EgressSupervision(p -> EgressWatcher.forPolicy(p, clock), this::sendEgress);
    this.quarantine = SmtpQuarantine.forCurrentPlatform(config.stateDir());
    this.scanWorker = Executors.newSingleThreadExecutor(r -> daemon(r, "labscan-scan"));
    this.background = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "labscan-agent-bg"));
  }

  /** None when plaintext is asked for by name; otherwise the credentials enrolment stored (mTLS). */
  private static Optional<AgentCredentials> credentials(AgentConfig config, String hostId) {
    if (config.insecure()) {
      return Optional.empty();
    }
    AgentCredentials credentials = AgentCredentials.load(config.stateDir()).orElseThrow(() ->
        new IllegalStateException("This agent is not enrolled (no " + AgentCredentials.CERTIFICATE_FILE + " in "
            + config.stateDir() + "): run 'labscan-agent enroll --token TOKEN' first."));
    if (!credentials.hostId().filter(hostId::equals).isPresent()) {
      throw new IllegalStateException("The agent certificate in " + config.stateDir() + " names host "
          + credentials.hostId().orElse("(none)") + ", but this agent is host " + hostId
          + ": enrol again with a new token.");
    }
    return Optional.of(credentials);
  }

  /**
   * Starts an agent that scans in its own JVM: enrolment, heartbeats, command stream, nightly
   * scans, report delivery, and an inventory report at start and whenever this machine's
   * addresses change. For embedded agents (tests, the controller's demo).
   */
  public static AgentRuntime start(AgentConfig config, Clock clock) {
    return start(config, clock, ScanMode.IN_PROCESS);
  }

  /**
   * As {@link #start(AgentConfig, Clock)}, scanning where {@code mode} says: the installed
   * service scans in a worker process, so the resident daemon stays small.
   */
  public static AgentRuntime start(AgentConfig config, Clock clock, ScanMode mode) {
    return start(config, clock, AddressWatch.ofThisMachine(), ScanRunners.forMode(mode));
  }

  /** As {@link #start(AgentConfig, Clock)}, watching the addresses {@code addresses} sees (tests). */
  public static AgentRuntime start(AgentConfig config, Clock clock, AddressWatch addresses) {
    return start(config, clock, addresses, ScanRunners.forMode(ScanMode.IN_PROCESS));
  }

  /** The general form: addresses to watch and how to run scans (tests). */
  public static AgentRuntime start(AgentConfig config, Clock clock, AddressWatch addresses,
      ScanRunners.Factory runners) {
    requireNonNull(config, "config");
    requireNonNull(clock, "clock");
    requireNonNull(addresses, "addresses");
    requireNonNull(runners, "runners");
    AgentRuntime agent = new AgentRuntime(config, clock, addresses, runners);
    // Before anything else: the last quarantine order is restored (or a crashed run's rules removed).
    agent.quarantine.start(agent.policy.get());
    agent.sender.start();
    agent.background.execute(() -> agent.enroll(true, 1));
    synchronized (agent.policyLock) {
      agent.scheduleFromPolicy();
    }
    return agent;
  }

  public String hostId() {
    return hostId;
  }

  public Policy policy() {
    return policy.get();
  }

  public long spooledReports() {
    return spool.size();
  }

  public boolean isScanning() {
    return scanGate.isRunning();
  }

  /**
   * Starts a scan unless one is running. The future completes with the spooled report, or
   * is empty when a scan was already running (the request is dropped, not queued: the
   * running scan answers it).
   */
  public Optional<CompletableFuture<Report>> scanNow(ScanPlan plan) {
    requireNonNull(plan, "plan");
    Optional<CompletableFuture<Report>> started = scanGate.runIfIdle(() -> {
      Report report;
      try {
        // Numbered here, when spooled: a failed scan burns no sequence number.
        report = scanRunner.run(plan, policy.get()).toBuilder().setSequence(spool.nextSequence()).build();
      } catch (RuntimeException e) {
        // Not recorded as completed: the nightly planner asks again and catches it up.
        log.error("Scan {} failed: {}", plan.trigger(), e.getMessage());
        throw e;
      }
      sender.submit(report);
      if (plan.isFull()) {
        scheduleState.recordCompletedFullScan(clock.instant());
      }
      log.info("Scan {} finished: report {} spooled.", plan.trigger(), report.getReportId());
      return report;
    }, scanWorker);
    if (started.isEmpty()) {
      log.info("Scan requested ({}) while a scan is running: ignored.", plan.trigger());
    }
    return started;
  }

  /** (Re)schedules everything the policy decides; called with {@link #policyLock} held. */
  private void scheduleFromPolicy() {
    Policy p = policy.get();
    scheduler.every("heartbeat", Duration.ofSeconds(p.getHeartbeatIntervalSeconds()),
        Duration.ofSeconds(1), this::heartbeat);
    // Decided every minute from the state on disk, so a night missed while the machine was
    // off or asleep is caught up (see NightlyScanPlanner).
    NightlyScans nightly = new NightlyScans(
        NightlyScanPlanner.forPolicy(p, hostId, ZoneId.systemDefault(), clock), scheduleState,
        this::scanNow, scanGate::isRunning);
    scheduler.every("nightly-full-scan", Duration.ofMinutes(1), Duration.ofSeconds(5), nightly::check);
    scheduler.every("address-watch", addresses.period(), Duration.ofSeconds(1), this::reportChangedAddresses);
    scheduler.every("quarantine", SMTP_QUARANTINE_PERIOD, Duration.ofSeconds(2), this::reportQuarantine);
    restartEgress(p);
  }

  /**
   * Spools an inventory-only report when the addresses differ from the last one reported. After
   * a change (not at the first look) the connection to the controller is renewed too: one from
   * an address the host no longer has is dead, and commands pushed into it would be lost.
   */
  private void reportChangedAddresses() {
    try {
      boolean first = addresses.isFirstLook();
      addresses.changed().ifPresent(now -> {
        if (!first) {
          log.info("Addresses changed to {}: reconnecting to the controller.", now);
          client.reconnect();
          closeQuietly(commandStream);
        }
        sender.submit(EgressReports.addressChange(new InventoryCollector(config.lab()).collect(hostId),
            spool.nextSequence(), policy.get().getVersion(), clock.instant()));
        addresses.reported(now);
        log.info("Addresses {} reported.", now);
      });
    } catch (RuntimeException e) {
      log.warn("Address change not reported: {}", e.toString());
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("Closing failed: {}", e.toString());
    }
  }

  /** Starts (or restarts, after a policy change) the SMTP egress watch and its report flush. */
  private void restartEgress(Policy p) {
    egress.apply(p);
    Duration window = EgressPolicy.from(p).window();
    scheduler.every("egress-flush", window, window, egress::flush);
  }

  /** Spools an egress-only report when any window completed. */
  private void sendEgress(List<SmtpEgressWindow> windows) {
    if (windows.isEmpty()) {
      return;
    }
    sender.submit(EgressReports.report(new InventoryCollector(config.lab()).collect(hostId), windows,
        spool.nextSequence(), policy.get().getVersion(), clock.instant()));
  }

  /** How often the quarantine's rules are re-checked and its status (refused attempts) reported. */
  private static final Duration SMTP_QUARANTINE_PERIOD = Duration.ofSeconds(10);

  /** Re-checks the SMTP quarantine's rules; spools its status when it changed or refused attempts. */
  private void reportQuarantine() {
    try {
      quarantine.refresh(policy.get());
      quarantine.drainStatus().ifPresent(status -> sender.submit(QuarantineReports.report(
          new InventoryCollector(config.lab()).collect(hostId), status, spool.nextSequence(),
          policy.get().getVersion(), clock.instant())));
    } catch (RuntimeException e) {
      log.warn("SMTP quarantine status not reported: {}", e.toString());
    }
  }

  private void heartbeat() {
    try {
      var response = client.heartbeat(HeartbeatRequest.newBuilder()
          .setHostId(hostId)
          .setSent(Timestamps.fromMillis(clock.millis()))
          .setAgentVersion(AgentVersion.get())
          .setPolicyVersion(policy.get().getVersion())
          .setScanning(scanGate.isRunning())
          .setSpooledReports(spool.size())
          .build());
      if (response.hasPolicy()) {
        applyPolicy(response.getPolicy());
      }
      sender.poke();
    } catch (RuntimeException e) {
      log.debug("Heartbeat failed: {}", e.toString());
    }
    renewCertificateIfDue();
  }

  /**
   * Renews the certificate in its last month (see {@link CredentialRenewal}); with a new one,
   * later calls go over a new channel presenting it, and the command stream is reopened there.
   */
  private void renewCertificateIfDue() {
    renewal.flatMap(r -> r.renewIfDue(client)).ifPresent(renewed -> {
      client.useChannel(GrpcChannels.mutualTls(target, renewed));
      closeQuietly(commandStream);
    });
  }

  private void enroll(boolean thenListen, int attempt) {
    if (closed) {
      return;
    }
    try {
      EnrollResponse response = client.enroll(EnrollRequest.newBuilder()
          .setHostId(hostId)
          .setHostname(new InventoryCollector(config.lab()).collect(hostId).getHostname())
          .setAgentVersion(AgentVersion.get())
          .build());
      applyPolicy(response.getPolicy());
      if (thenListen) {
        listenForCommands(1);
      }
    } catch (RuntimeException e) {
      Duration wait = ReportSender.backoff(attempt);
      log.info("Enrolment failed ({}); retrying in {} ms.", e.getMessage(), wait.toMillis());
      background.schedule(() -> enroll(thenListen, attempt + 1), wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void applyPolicy(Policy update) {
    Policy merged = PolicyDefaults.withDefaults(update);
    synchronized (policyLock) {
      Policy current = policy.get();
      if (closed || merged.getVersion() < current.getVersion() || merged.equals(current)) {
        return;
      }
      policy.set(merged);
      scheduleFromPolicy();
    }
    log.info("Policy version {} applied.", merged.getVersion());
    quarantine.policyChanged(merged);
  }

  private void listenForCommands(int attempt) {
    if (closed) {
      return;
    }
    commandStream = client.commands(hostId, new StreamObserver<>() {
      @Override
      public void onNext(Command command) {
        switch (command.getCommandCase()) {
          case SCAN_NOW -> scanNow(new ScanPlan(command.getScanNow().getKind(), "controller"));
          case POLICY_UPDATE -> applyPolicy(command.getPolicyUpdate().getPolicy());
          case QUARANTINE -> quarantine.order(command.getQuarantine(), policy.get());
          default -> log.warn("Ignoring unknown command {}", command.getCommandId());
        }
      }

      @Override
      public void onError(Throwable t) {
        if (closed) {
          return;
        }
        Duration wait = ReportSender.backoff(attempt);
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED) {
          log.warn("The controller refuses this agent ({}); retrying in {} ms.", status.getDescription(),
              wait.toMillis());
        } else {
          log.debug("Command stream closed ({}); reconnecting in {} ms.", status, wait.toMillis());
        }
        background.schedule(() -> listenForCommands(attempt + 1), wait.toMillis(), TimeUnit.MILLISECONDS);
      }

      @Override
      public void onCompleted() {
        onError(Status.UNAVAILABLE.withDescription("stream completed").asRuntimeException());
      }
    });
  }

  /** Waits until every spooled report was acknowledged, or the timeout passes. */
  public boolean awaitDelivered(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (spool.size() == 0 && !scanGate.isRunning()) {
        return true;
      }
      sender.poke();
      TimeUnit.MILLISECONDS.sleep(50);
    }
    return spool.size() == 0;
  }

  @Override
  public void close() {
    synchronized (policyLock) {
      closed = true; // no policy is applied from here on
    }
    scheduler.close();
    // The open egress window goes into the spool, so a restart loses no evidence.
    egress.stop();
    scanRunner.close();
    scanWorker.shutdownNow();
    background.shutdownNow();
    sender.close();
    client.close();
    spool.close();
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }
}
