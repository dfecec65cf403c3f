package io.labscan.controller;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.Status;
import io.labscan.controller.alert.Alert;
import io.labscan.controller.grpc.AgentIdentityInterceptor;
import io.labscan.controller.grpc.AgentServiceImpl;
import io.labscan.controller.grpc.CommandHub;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.grpc.DailyQuota;
import io.labscan.controller.grpc.GrpcServers;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.store.Pruner;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.controller.grpc.CertificateRenewal;
import io.labscan.controller.trust.CurrentCertificates;
import io.labscan.controller.trust.KeyConflicts;
import io.labscan.controller.grpc.EnrolmentService;
import io.labscan.controller.trust.Revocations;
import io.labscan.controller.trust.ServerIdentity;
import io.labscan.controller.trust.ServerNames;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.PolicyUpdate;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running controller's agent side: the gRPC service and command streams over a
 * {@link Controller}'s services. In secure mode (the default) it also owns the CA, the
 * enrolment port and the revocation list (re-read when the {@link Controller#changes() change
 * feed} sees a commit).
 */
public final class ControllerRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControllerRuntime.class);

  private final Controller controller;
  private final boolean ownsController;
  private final Server grpc;
  private final Optional<Server> enrolment;
  private final Optional<CertificateAuthority> ca;
  private final Optional<Revocations> revocations;
  /** Two keys for one host (mutual TLS only); set once while starting. */
  private volatile Optional<KeyConflicts> keyConflicts = Optional.empty();

  private ControllerRuntime(Controller controller, boolean ownsController, Server grpc, Optional<Server> enrolment,
      Optional<CertificateAuthority> ca, Optional<Revocations> revocations) {
    this.controller = controller;
    this.ownsController = ownsController;
    this.grpc = grpc;
    this.enrolment = enrolment;
    this.ca = ca;
    this.revocations = revocations;
  }

  /**
   * Settings for {@link #start}.
   *
   * @param insecure plaintext gRPC, no enrolment port, nobody authenticated
   * @param enrollPort the enrolment port; empty means {@code grpcPort + 1} (or a free port when
   *     {@code grpcPort} is 0)
   * @param tlsNames names and addresses agents dial, added to the server certificate
   * @param reportRate per-agent limit on Report calls
   * @param hostDailyQuotaBytes report bytes one host may store per UTC day ({@link DailyQuota})
   * @param pkiFolder where the CA and server certificate live; empty: {@code pki/} beside
   *     {@code database} (the SQLite file). For PostgreSQL, {@code database} is only a name.
   */
  public record Options(Path database, String grpcBind, int grpcPort, boolean insecure, OptionalInt enrollPort,
      List<String> tlsNames, RateLimiter.Rate reportRate, long hostDailyQuotaBytes, Optional<Path> pkiFolder) {
    public Options {
      requireNonNull(pkiFolder, "pkiFolder");
      if (hostDailyQuotaBytes < 1) {
        throw new IllegalArgumentException("the daily storage quota per host must be positive");
      }
      requireNonNull(database, "database");
      requireNonNull(grpcBind, "grpcBind");
      requireNonNull(enrollPort, "enrollPort");
      tlsNames = List.copyOf(tlsNames);
      requireNonNull(reportRate, "reportRate");
      checkPort("gRPC", grpcPort);
      enrollPort.ifPresent(p -> checkPort("enrolment", p));
    }

    /** Options with the CA in {@code pki/} beside the database file. */
    public Options(Path database, String grpcBind, int grpcPort, boolean insecure, OptionalInt enrollPort,
        List<String> tlsNames, RateLimiter.Rate reportRate, long hostDailyQuotaBytes) {
      this(database, grpcBind, grpcPort, insecure, enrollPort, tlsNames, reportRate, hostDailyQuotaBytes,
          Optional.empty());
    }

    public Options(Path database, String grpcBind, int grpcPort, boolean insecure, OptionalInt enrollPort,
        List<String> tlsNames, RateLimiter.Rate reportRate) {
      this(database, grpcBind, grpcPort, insecure, enrollPort, tlsNames, reportRate, DailyQuota.DEFAULT_BYTES);
    }

    public Options(Path database, String grpcBind, int grpcPort, boolean insecure) {
      this(database, grpcBind, grpcPort, insecure, OptionalInt.empty(), List.of(), RateLimiter.Rate.reportDefault());
    }

    private static void checkPort(String what, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(what + " port " + port + " is not between 0 and 65535");
      }
    }

    /** The enrolment port to listen on. */
    public int effectiveEnrollPort() {
      if (enrollPort.isPresent()) {
        return enrollPort.getAsInt();
      }
      if (grpcPort == 0) {
        return 0;
      }
      if (grpcPort == 65535) {
        throw new IllegalArgumentException("gRPC port 65535 leaves no next port for enrolment: set --enroll-port");
      }
      return grpcPort + 1;
    }

    public Options withReportRate(RateLimiter.Rate rate) {
      return new Options(database, grpcBind, grpcPort, insecure, enrollPort, tlsNames, rate, hostDailyQuotaBytes,
          pkiFolder);
    }

    /**
     * The CA's folder: {@code pkiFolder} when given (a controller on PostgreSQL has no database
     * file to put it beside; several controllers share one), else {@code pki/} beside the
     * database file.
     */
    public Path caFolder() {
      return pkiFolder.orElseGet(() -> CertificateAuthority.folderFor(database));
    }
  }

  /**
   * Opens the database and starts the agent side over a controller of its own (closed with
   * this runtime); the controller's background jobs start too.
   */
  public static ControllerRuntime start(Options options, Clock clock) {
    requireNonNull(options, "options");
    requireNonNull(clock, "clock");
    Controller controller = Controller.open(ControllerConfig.builder(options.database()).clock(clock).build());
    try {
      ControllerRuntime runtime = start(controller, options, true);
      controller.startBackgroundJobs();
      return runtime;
    } catch (RuntimeException e) {
      controller.close();
      throw e;
    }
  }

  /**
   * Starts the gRPC side over {@code controller}'s services; the caller keeps owning the
   * controller (and starts its background jobs).
   */
  public static ControllerRuntime start(Controller controller, Options options) {
    return start(controller, options, false);
  }

  private static ControllerRuntime start(Controller controller, Options options, boolean owns) {
    requireNonNull(controller, "controller");
    requireNonNull(options, "options");
    Storage store = controller.store();
    Clock clock = controller.clock();
    store.requireWritable();
    Server grpc = null;
    try {
      CommandHub commands = controller.commands();
      PolicyProvider policies = controller.policies();
      ReportIngestor ingestor = controller.ingestor();
      if (options.insecure()) {
        AgentServiceImpl agents = new AgentServiceImpl(store, ingestor, policies, commands, clock,
            new RateLimiter(options.reportRate()), Optional.empty(), quota(options, store, clock));
        grpc = GrpcServers.plaintext(options.grpcBind(), options.grpcPort(), List.of(agents));
        ControllerRuntime runtime = new ControllerRuntime(controller, owns, grpc, Optional.empty(),
            Optional.empty(), Optional.empty());
        runtime.startPolicyPublisher();
        return runtime;
      }
      CertificateAuthority ca = CertificateAuthority.loadOrCreate(options.caFolder(), clock);
      ServerIdentity identity = ca.serverIdentity(ServerNames.withDefaults(options.tlsNames()));
      KeyConflicts conflicts = new KeyConflicts(clock, hostId -> store.certificate(hostId)
          .flatMap(io.labscan.controller.trust.TrustRepository.CertificateRecord::renewed));
      conflicts.addListener((hostId, detail, at) -> controller.alerts().raise(Alert.twoKeys(hostId,
          store.host(hostId).map(h -> h.hostname()).orElse(""),
          store.verdict(hostId).map(v -> v.verdict()).orElse(Verdict.UNKNOWN), at, detail)));
      CurrentCertificates current = new CurrentCertificates(store, conflicts);
      AgentServiceImpl agents = new AgentServiceImpl(store, ingestor, policies, commands, clock,
          new RateLimiter(options.reportRate()), Optional.of(new CertificateRenewal(ca, store, clock, current::forget,
              conflicts::replacedCertificateRenewed)),
          quota(options, store, clock));
      Revocations revocations = Revocations.load(store, hostId -> commands.disconnect(hostId,
          Status.UNAUTHENTICATED.withDescription("certificate of host " + hostId + " was revoked")));
      controller.changes().listen("revocations", revocations::refresh);
      grpc = GrpcServers.mutualTls(options.grpcBind(), options.grpcPort(), identity.keyManager(), ca.clientTrust(),
          new AgentIdentityInterceptor(revocations::isRevoked, current), List.of(agents));
      Server enrolment = GrpcServers.enrolment(options.grpcBind(), options.effectiveEnrollPort(),
          identity.keyManager(), new EnrolmentService(ca, store, policies, clock, current::forget));
      log.info("gRPC for agents (mTLS) on port {}, enrolment on port {}; CA fingerprint {}.", grpc.getPort(),
          enrolment.getPort(), ca.fingerprint());
      ControllerRuntime runtime = new ControllerRuntime(controller, owns, grpc,
          Optional.of(enrolment), Optional.of(ca), Optional.of(revocations));
      runtime.keyConflicts = Optional.of(conflicts);
      runtime.startPolicyPublisher();
      return runtime;
    } catch (RuntimeException e) {
      if (grpc != null) {
        grpc.shutdownNow();
      }
      throw e;
    }
  }

  private static DailyQuota quota(Options options, Storage store, Clock clock) {
    return new DailyQuota(options.hostDailyQuotaBytes(), clock, store::reportBytesSince);
  }

  /** The controller whose services this runtime serves. */
  public Controller controller() {
    return controller;
  }

  /** How long after start the first daily prune runs (not at once: a restart loop must not prune in a loop). */
  public static final java.time.Duration FIRST_PRUNE_DELAY = Controller.FIRST_PRUNE_DELAY;

  /** Prunes old evidence by {@code retention} once a day ({@link Controller#startDailyPrune}). */
  public void startDailyPrune(Pruner.Retention retention, Clock clock) {
    controller.startDailyPrune(retention);
  }

  /** Runs one prune now (the daily task), counting what it deleted for /metrics. */
  public Optional<Pruner.Result> pruneNow(Pruner pruner) {
    return controller.pruneNow(pruner);
  }

  /** Rows deleted by retention since start, per table. */
  public java.util.Map<String, Long> prunedRows() {
    return controller.prunedRows();
  }

  private volatile long publishedVersion;

  /**
   * Pushes a changed policy (e.g. a new artifact rule set set by {@code labscan-controller
   * rules} from another process) to every connected agent when the change feed sees a commit;
   * agents that are offline get it from their next heartbeat.
   */
  private void startPolicyPublisher() {
    publishedVersion = controller.policies().current().getVersion();
    controller.changes().listen("policy publisher", this::publishPolicyIfChanged);
    startQuarantine();
  }

  /** How often the automatic quarantine rules run (docs/egress.md, "Quarantine"). */
  public static final java.time.Duration QUARANTINE_SWEEP = java.time.Duration.ofSeconds(5);
  /** The quarantine revision last pushed to each host as a command. */
  private final java.util.Map<String, Long> pushedQuarantine = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.ScheduledExecutorService quarantineSweeper =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "labscan-quarantine");
        t.setDaemon(true);
        return t;
      });

  /**
   * SMTP quarantine (docs/egress.md): stores what agents report of it once their report is
   * committed, and runs the automatic rules every {@link #QUARANTINE_SWEEP}.
   */
  private void startQuarantine() {
    Quarantines quarantines = controller.quarantines();
    controller.ingestor().addListener((report, outcome, latency) -> {
      if (report.hasQuarantine() && outcome != io.labscan.controller.store.Store.IngestOutcome.DUPLICATE) {
        // Without waiting: ingest listeners run on the store's writer thread.
        quarantines.recordStatusLater(report.getInventory().getHostId(), report.getQuarantine(),
            controller.clock().instant()).whenComplete((ok, e) -> {
              if (e != null) {
                log.warn("Quarantine status of host {} not stored: {}", report.getInventory().getHostId(),
                    e.toString());
              }
            });
      }
    });
    // Once among controllers sharing the database (issue 20): two sweeps would order twice.
    java.util.function.BooleanSupplier once = controller.singletons()
        .gate(io.labscan.controller.jobs.SingletonLocks.QUARANTINE_RULES);
    quarantineSweeper.scheduleWithFixedDelay(() -> {
      try {
        if (!once.getAsBoolean()) {
          return;
        }
        quarantines.sweep();
      } catch (RuntimeException e) {
        log.warn("Quarantine rules not applied this time: {}", e.toString());
      }
    }, QUARANTINE_SWEEP.toSeconds(), QUARANTINE_SWEEP.toSeconds(), TimeUnit.SECONDS);
  }

  /** Pushes the policy now if it changed since the last push; returns how many agents got it. */
  public int publishPolicyIfChanged() {
    try {
      PolicyProvider policies = controller.policies();
      policies.invalidate();
      Policy current = policies.current();
      if (current.getVersion() <= publishedVersion) {
        return 0;
      }
      publishedVersion = current.getVersion();
      int sent = 0;
      CommandHub commands = controller.commands();
      for (String hostId : commands.connectedHosts()) {
        Policy hostPolicy = policies.policyFor(hostId);
        if (hostPolicy.hasQuarantine()
            && pushedQuarantine.getOrDefault(hostId, 0L) < hostPolicy.getQuarantine().getRevision()) {
          // The order first, as a command of its own; the policy below carries it too.
          if (commands.send(hostId, Command.newBuilder()
              .setCommandId(UUID.randomUUID().toString())
              .setIssued(Timestamps.fromMillis(controller.clock().millis()))
              .setQuarantine(hostPolicy.getQuarantine())
              .build())) {
            pushedQuarantine.put(hostId, hostPolicy.getQuarantine().getRevision());
          }
        }
        boolean ok = commands.send(hostId, Command.newBuilder()
            .setCommandId(UUID.randomUUID().toString())
            .setIssued(Timestamps.fromMillis(controller.clock().millis()))
            .setPolicyUpdate(PolicyUpdate.newBuilder().setPolicy(policies.policyFor(hostId)))
            .build());
        sent += ok ? 1 : 0;
      }
      return sent;
    } catch (RuntimeException e) {
      log.warn("Policy push failed: {}", e.getMessage());
      return 0;
    }
  }

  /** Detection of two keys for one host, for alerts; empty on plaintext setups. */
  public Optional<KeyConflicts> keyConflicts() {
    return keyConflicts;
  }

  public Storage store() {
    return controller.store();
  }

  public ReportIngestor ingestor() {
    return controller.ingestor();
  }

  public VerdictService verdicts() {
    return controller.verdicts();
  }

  public CommandHub commands() {
    return controller.commands();
  }

  public PolicyProvider policies() {
    return controller.policies();
  }

  /** The controller's CA; empty in insecure mode. */
  public Optional<CertificateAuthority> certificateAuthority() {
    return ca;
  }

  /** The port gRPC listens on (useful when started on port 0). */
  public int grpcPort() {
    return grpc.getPort();
  }

  /** The enrolment port; empty in insecure mode. */
  public OptionalInt enrollPort() {
    return enrolment.map(s -> OptionalInt.of(s.getPort())).orElse(OptionalInt.empty());
  }

  /** Re-reads the revoked hosts now instead of at the next poll of the change feed. */
  public void refreshRevocations() {
    revocations.ifPresent(Revocations::refresh);
  }

  /**
   * Stops serving gRPC at once, as a crashed controller does: connections are closed, calls in
   * flight and command streams fail with {@code UNAVAILABLE}, and the ports refuse connections.
   * The database stays open until {@link #close}. (Agents fail over to another controller.)
   */
  public void stopServingNow() {
    grpc.shutdownNow();
    enrolment.ifPresent(Server::shutdownNow);
  }

  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  @Override
  public void close() {
    quarantineSweeper.shutdownNow();
    controller.commands().closeAll();
    enrolment.ifPresent(Server::shutdown);
    grpc.shutdown();
    try {
      if (!grpc.awaitTermination(10, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
      if (enrolment.isPresent() && !enrolment.get().awaitTermination(5, TimeUnit.SECONDS)) {
        enrolment.get().shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      grpc.shutdownNow();
      enrolment.ifPresent(Server::shutdownNow);
    }
    if (ownsController) {
      controller.close();
    }
  }
}
