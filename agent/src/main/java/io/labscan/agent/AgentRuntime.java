package io.labscan.agent;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.grpc.SynchronizationContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.contract.LabScanVersion;
import io.labscan.contract.egress.EgressReports;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.inventory.AddressWatch;
import io.labscan.agent.inventory.InventoryCollector;
import io.labscan.agent.platform.services.PlatformServices;
import io.labscan.agent.quarantine.QuarantineReports;
import io.labscan.agent.quarantine.SmtpQuarantine;
import io.labscan.agent.schedule.AgentScheduler;
import io.labscan.agent.schedule.NightlyScanPlanner;
import io.labscan.agent.schedule.NightlyScans;
import io.labscan.agent.schedule.ScanGate;
import io.labscan.agent.schedule.ScheduleStateStore;
import io.labscan.agent.selfwatch.BudgetState;
import io.labscan.agent.selfwatch.RestartLedger;
import io.labscan.agent.selfwatch.SelfUsageMeter;
import io.labscan.agent.selfwatch.SelfWatch;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.ControllerTargets;
import io.labscan.agent.transport.CredentialRenewal;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.transport.HomeReturn;
import io.labscan.agent.transport.ReportSender;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.config.ScanMode;
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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * A running agent: identity, spool, connection to the controller, schedules, and one scan
 * at a time, run where its {@link ScanMode} says. {@code labscan-agent run} is this class plus
 * signal handling and scans in a worker process; the controller's demo runs one in-process.
 * Built by {@link #builder}.
 *
 * <p><b>Threading: one serial context.</b> Quartz threads (heartbeat, schedules, address watch),
 * gRPC callbacks (commands), the background executor (enrolment retries) and the scan worker all
 * reach this object. None of them changes its state directly: they enqueue on {@link #serial}
 * (grpc-java's {@link SynchronizationContext}: tasks run one at a time, in order, on whichever
 * caller thread drains the queue), where the policy is compared and applied ({@link PolicyState}),
 * the egress watch restarted ({@link EgressSupervision}) and the command stream replaced
 * ({@link CommandListener}). Blocking calls (RPCs, inventory) stay on the caller's thread and
 * only their results are enqueued, so a slow controller never holds the queue. A policy pushed
 * and the same policy in a heartbeat answer are therefore applied once, and restart the egress
 * watch once, whatever threads deliver them.
 */
public final class AgentRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

  private final AgentConfig config;
  private final Clock clock;
  private final String hostId;
  private final Spool spool;
  private final ControllerTargets targets;
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
  /** Where every change of this runtime's state happens, one at a time (see the class comment). */
  private final SynchronizationContext serial = new SynchronizationContext((thread, e) ->
      log.error("Agent task failed on {}: {}", thread.getName(), e.toString(), e));
  /** The SMTP egress watch; restarted (in the serial context) when a policy changes it. */
  private final EgressSupervision egress;
  private final PolicyState policy;
  /** The SMTP quarantine (docs/egress.md, "Quarantine"): orders from the controller, kept in the state folder. */
  private final SmtpQuarantine quarantine;
  private final CommandListener commands;
  private final AddressWatch addresses;
  /** The agent's watch over its own resource use (docs/reliability.md, "The agent watches itself"). */
  private final SelfWatch selfWatch;
  private final Duration selfWatchPeriod;
  /** Called (from the serial context) when the agent must restart itself for memory. */
  private final Runnable onSelfRestart;
  private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
  /** Set in the serial context; read anywhere to stop retrying. */
  private volatile boolean closed;

  private AgentRuntime(Builder b, AddressWatch addresses) {
    AgentConfig config = b.config;
    Clock clock = b.clock;
    PlatformServices platform = b.platform;
    ScanRunners.Factory runners = b.runners;
    this.config = config;
    this.addresses = addresses;
    this.clock = clock;
    if (config.controllers().isEmpty()) {
      throw new IllegalArgumentException("No controller address: set 'controller: HOST:PORT' in the config file.");
    }
    this.hostId = HostIdentity.loadOrCreate(config.stateDir());
    // This host's own order: its home controller first (ControllerTargets, "Each host its own order").
    this.targets = new ControllerTargets(config.controllers(), b.resolver).forHost(hostId);
    Optional<AgentCredentials> credentials = credentials(config, hostId);
    this.client = ControllerClient.failingOver(targets, credentials
        .<Function<ControllerTargets.Target, io.grpc.ManagedChannel>>map(c -> t -> GrpcChannels.mutualTls(t, c))
        .orElse(GrpcChannels::plaintext));
    this.renewal = credentials.map(c -> new CredentialRenewal(config.stateDir(), hostId, c, clock));
    this.spool = Spool.open(config.stateDir());
    this.sender = new ReportSender(spool, client);
    this.scanRunner = runners.create(hostId, config, clock);
    this.scheduler = new AgentScheduler();
    this.scheduleState = new ScheduleStateStore(config.stateDir(), clock);
    this.egress = new EgressSupervision(b.egressWatchers.orElse(p -> platform.egressWatcher(p, clock)),
        this::sendEgress);
    // Refused SMTP attempts are named by the egress watch's attribution (the rule sees only the user).
    this.quarantine = SmtpQuarantine.forPlatform(platform.platform(), config.stateDir(), egress::lastSender);
    this.policy = new PolicyState(serial, this::scheduleFromPolicy);
    this.scanWorker = Executors.newSingleThreadExecutor(r -> daemon(r, "labscan-scan"));
    this.background = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "labscan-agent-bg"));
    this.commands = new CommandListener(serial, client, hostId, background, this::onCommand);
    this.onSelfRestart = b.onSelfRestart;
    this.selfWatchPeriod = b.selfWatchPeriod;
    this.selfWatch = new SelfWatch(b.selfUsage.orElseGet(platform::selfUsage), new RestartLedger(config.stateDir()),
        policy.current(), new SelfWatch.Actions() {
          @Override
          public void pace(int slowFactor) {
            restartEgress(AgentRuntime.this.policy.current());
            scanRunner.pace(slowFactor);
          }

          @Override
          public void restart(BudgetState why) {
            onSelfRestart.run();
          }

          @Override
          public void report(io.labscan.proto.v1.AgentResources resources) {
            heartbeatSoon();
          }
        });
    // Failover (ControllerClient): the command stream reopens by itself on its error; the spool
    // is delivered to the new controller now rather than after the old one's backoff.
    client.onFailover(() -> serial.execute(() -> {
      if (!closed) {
        Duration spread = client.firstContactDelay();
        log.info("Now reporting to {} (from {} ms).", client.target(), spread.toMillis());
        try {
          background.schedule(sender::poke, spread.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          log.debug("Not delivering the spool: the agent is stopping.");
        }
      }
    }));
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
   * addresses change. For embedded agents (tests, the controller's demo); the same as
   * {@code builder(config, clock).start()}.
   */
  public static AgentRuntime start(AgentConfig config, Clock clock) {
    return builder(config, clock).start();
  }

  /** A builder for an agent with {@code config}, on {@code clock}; defaults as {@link #start(AgentConfig, Clock)}. */
  public static Builder builder(AgentConfig config, Clock clock) {
    return new Builder(config, clock);
  }

  /**
   * What an agent is made of beyond its configuration. Defaults: this machine's addresses and
   * platform, scans in-process.
   */
  public static final class Builder {
    private final AgentConfig config;
    private final Clock clock;
    /** Null: this machine's addresses, read when the agent starts. */
    private @Nullable AddressWatch addresses;
    private ScanRunners.Factory runners = ScanRunners.forMode(ScanMode.IN_PROCESS);
    private PlatformServices platform = PlatformServices.current();
    private Optional<Function<Policy, EgressWatcher>> egressWatchers = Optional.empty();
    private Optional<SelfUsageMeter> selfUsage = Optional.empty();
    private Duration selfWatchPeriod = SelfWatch.PERIOD;
    private Runnable onSelfRestart = () -> log.warn(
        "A restart for memory was asked of an embedded agent: it keeps running (only 'run' and the service restart).");
    private ControllerTargets.Resolver resolver = ControllerTargets.Resolver.SYSTEM;

    private Builder(AgentConfig config, Clock clock) {
      this.config = requireNonNull(config, "config");
      this.clock = requireNonNull(clock, "clock");
    }

    /** Where scans run: {@link ScanMode#WORKER_PROCESS} for the installed service. */
    public Builder scanMode(ScanMode mode) {
      this.runners = ScanRunners.forMode(requireNonNull(mode, "mode"));
      return this;
    }

    /** How scans run (tests: a runner that fails, or records). */
    public Builder scanRunners(ScanRunners.Factory runners) {
      this.runners = requireNonNull(runners, "runners");
      return this;
    }

    /** The addresses to watch for changes (tests: an unreadable or scripted watch). */
    public Builder addresses(AddressWatch addresses) {
      this.addresses = requireNonNull(addresses, "addresses");
      return this;
    }

    /** The platform the agent runs on ({@link PlatformServices#current()} by default). */
    public Builder platform(PlatformServices platform) {
      this.platform = requireNonNull(platform, "platform");
      return this;
    }

    /** How an egress watcher is started for a policy (default: the platform's); tests count them. */
    public Builder egressWatchers(Function<Policy, EgressWatcher> start) {
      this.egressWatchers = Optional.of(requireNonNull(start, "start"));
      return this;
    }

    /** How the agent reads its own resource use (default: the platform's); tests script readings. */
    public Builder selfUsage(SelfUsageMeter meter) {
      this.selfUsage = Optional.of(requireNonNull(meter, "meter"));
      return this;
    }

    /** How often the agent reads its own resource use (default one minute; tests shorten it). */
    public Builder selfWatchPeriod(Duration period) {
      if (requireNonNull(period, "period").isNegative() || period.isZero()) {
        throw new IllegalArgumentException("period must be positive");
      }
      this.selfWatchPeriod = period;
      return this;
    }

    /**
     * What a restart for memory does: {@code run} and the Windows service close the runtime and
     * exit with {@link SelfWatch#EXIT_RESTART_FOR_MEMORY}; an embedded agent only logs.
     * Called from the runtime's serial context: it must return at once (hand the exit to another thread).
     */
    public Builder onSelfRestart(Runnable restart) {
      this.onSelfRestart = requireNonNull(restart, "restart");
      return this;
    }

    /** How controller names are resolved into addresses (default: the system's resolver; tests: a table). */
    public Builder resolver(ControllerTargets.Resolver resolver) {
      this.resolver = requireNonNull(resolver, "resolver");
      return this;
    }

    /** Builds and starts the agent: report delivery, enrolment (then the command stream), schedules. */
    public AgentRuntime start() {
      AgentRuntime agent = new AgentRuntime(this, addresses != null ? addresses : AddressWatch.ofThisMachine());
      // Before anything else: the last quarantine order is restored (or a crashed run's rules removed).
      agent.quarantine.start(agent.policy.current());
      agent.sender.start();
      // Away from its home controller (after a failover), the agent probes home and goes back once
      // it is healthy again (ControllerClient, "Back home"), so a restarted controller fills again.
      agent.client.returnHome(agent.background, agent::homeProbe, HomeReturn.Settings.DEFAULT, agent.clock);
      agent.background.execute(() -> agent.enroll(1));
      agent.policy.applyCurrent();
      return agent;
    }
  }

  public String hostId() {
    return hostId;
  }

  public Policy policy() {
    return policy.current();
  }

  /** The controller this agent reports to now (one of the configured ones; see {@link ControllerClient}). */
  public String controllerInUse() {
    return client.target();
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
        report = scanRunner.run(plan, policy.current()).toBuilder().setSequence(spool.nextSequence()).build();
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

  /** (Re)schedules everything policy {@code p} decides; in the serial context. */
  private void scheduleFromPolicy(Policy p) {
    serial.throwIfNotInThisSynchronizationContext();
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
    selfWatch.policy(p);
    // The first reading at once: the baseline the next minute's CPU use is measured from.
    scheduler.every("self-watch", selfWatchPeriod, Duration.ofMillis(500), this::watchSelf);
    restartEgress(p);
    quarantine.policyChanged(p);
  }

  /**
   * The next heartbeat in a second, then at the policy's interval (as after a policy change): the
   * self-watch's state changed and the operator should see it now. In the serial context.
   */
  private void heartbeatSoon() {
    if (!closed) {
      Policy p = io.labscan.contract.policy.PolicyDefaults.withDefaults(policy.current());
      scheduler.every("heartbeat", Duration.ofSeconds(p.getHeartbeatIntervalSeconds()), Duration.ofSeconds(1),
          this::heartbeat);
    }
  }

  /** How often the quarantine's rules are re-checked and its status (refused attempts) reported. */
  private static final Duration SMTP_QUARANTINE_PERIOD = Duration.ofSeconds(10);

  /** Re-checks the SMTP quarantine's rules; spools its status when it changed or refused attempts. */
  private void reportQuarantine() {
    try {
      quarantine.refresh(policy.current());
      quarantine.drainStatus().ifPresent(status -> sender.submit(QuarantineReports.report(
          new InventoryCollector(config.lab()).collect(hostId), status, spool.nextSequence(),
          policy.current().getVersion(), clock.instant())));
    } catch (RuntimeException e) {
      log.warn("SMTP quarantine status not reported: {}", e.toString());
    }
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
          commands.reopen();
        }
        sender.submit(EgressReports.addressChange(new InventoryCollector(config.lab()).collect(hostId),
            spool.nextSequence(), policy.current().getVersion(), clock.instant()));
        addresses.reported(now);
        log.info("Addresses {} reported.", now);
      });
    } catch (RuntimeException e) {
      log.warn("Address change not reported: {}", e.toString());
    }
  }

  /**
   * Reads the agent's own resource use (on the scheduler's thread) and hands the reading to the
   * serial context, where the budget decides: slow down, restart, or nothing.
   */
  private void watchSelf() {
    selfWatch.measure().ifPresent(usage -> {
      java.time.Instant at = clock.instant();
      serial.execute(() -> {
        if (!closed) {
          selfWatch.observe(usage, at, scanGate.isRunning());
        }
      });
    });
  }

  /**
   * Starts (or restarts, after a policy change) the SMTP egress watch and its report flush. While
   * the agent is over its CPU budget the watch samples {@code slowFactor} times less often
   * (capped at one sample a window's tenth: a slowed watch still sees every session that lasts).
   */
  private void restartEgress(Policy p) {
    int slow = selfWatch == null ? 1 : selfWatch.slowFactor();
    egress.apply(slow == 1 ? p : p.toBuilder().setEgressSamplePeriodMillis(Math.min(
        EgressPolicy.from(p).samplePeriod().toMillis() * slow,
        Math.max(EgressPolicy.from(p).samplePeriod().toMillis(), EgressPolicy.from(p).window().toMillis() / 10)))
        .build());
    Duration window = EgressPolicy.from(p).window();
    scheduler.every("egress-flush", window, window, egress::flush);
  }

  /** Spools an egress-only report when any window completed. */
  private void sendEgress(List<SmtpEgressWindow> windows) {
    if (windows.isEmpty()) {
      return;
    }
    sender.submit(EgressReports.report(new InventoryCollector(config.lab()).collect(hostId), windows,
        spool.nextSequence(), policy.current().getVersion(), clock.instant()));
  }

  /** The heartbeat sent to the home controller to see whether it is healthy again (small: no resources). */
  private HeartbeatRequest homeProbe() {
    return HeartbeatRequest.newBuilder()
        .setHostId(hostId)
        .setSent(Timestamps.fromMillis(clock.millis()))
        .setAgentVersion(LabScanVersion.get())
        .setPolicyVersion(policy.current().getVersion())
        .setScanning(scanGate.isRunning())
        .setSpooledReports(spool.size())
        .build();
  }

  private void heartbeat() {
    try {
      HeartbeatRequest.Builder beat = HeartbeatRequest.newBuilder();
      selfWatch.latest().ifPresent(beat::setResources);
      var response = client.heartbeat(beat
          .setHostId(hostId)
          .setSent(Timestamps.fromMillis(clock.millis()))
          .setAgentVersion(LabScanVersion.get())
          .setPolicyVersion(policy.current().getVersion())
          .setScanning(scanGate.isRunning())
          .setSpooledReports(spool.size())
          .build());
      if (response.hasPolicy()) {
        policy.offer(response.getPolicy());
      }
      if (!response.getResourcesRefused().isEmpty()) {
        log.warn("The controller refused this agent's resource figures: {}", response.getResourcesRefused());
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
      client.useChannels(t -> GrpcChannels.mutualTls(t, renewed));
      commands.reopen();
    });
  }

  /** Enrols (on the background executor), then opens the command stream; retried with backoff. */
  private void enroll(int attempt) {
    if (closed) {
      return;
    }
    long generation = client.generation();
    try {
      EnrollResponse response = client.enroll(EnrollRequest.newBuilder()
          .setHostId(hostId)
          .setHostname(new InventoryCollector(config.lab()).collect(hostId).getHostname())
          .setAgentVersion(LabScanVersion.get())
          .build());
      policy.offer(response.getPolicy());
      commands.start();
    } catch (RuntimeException e) {
      // Moved to another controller (failover): a first attempt there, not the next step of this one's backoff.
      int next = client.generation() != generation ? 1 : attempt + 1;
      Duration wait = ReportSender.backoff(next - 1L);
      log.info("Enrolment failed ({}); retrying in {} ms.", e.getMessage(), wait.toMillis());
      try {
        background.schedule(() -> enroll(next), wait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        log.debug("Not retrying enrolment: the agent is stopping.");
      }
    }
  }

  /** A command from the controller (gRPC callback thread): handed on, never run here. */
  private void onCommand(Command command) {
    switch (command.getCommandCase()) {
      case SCAN_NOW -> scanNow(new ScanPlan(command.getScanNow().getKind(), "controller"));
      case POLICY_UPDATE -> policy.offer(command.getPolicyUpdate().getPolicy());
      case QUARANTINE -> quarantine.order(command.getQuarantine(), policy.current());
      default -> log.warn("Ignoring unknown command {}", command.getCommandId());
    }
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
    // Once: a restart for memory closes the runtime, then the JVM's shutdown hook asks again.
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    serial.execute(() -> closed = true);
    policy.close(); // no policy is applied from here on
    commands.close();
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
