package io.labscan.controller;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.alert.AlertDispatcher;
import io.labscan.controller.alert.AlertSink;
import io.labscan.controller.alert.SyslogSink;
import io.labscan.controller.alert.WebhookSink;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.LabRules;
import io.labscan.controller.grpc.CommandHub;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.jobs.BackgroundJobs;
import io.labscan.controller.jobs.ChangeFeed;
import io.labscan.controller.jobs.SingletonLocks;
import io.labscan.controller.metrics.ControllerMetrics;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.Pruner;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.Store;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.controller.verdict.VerdictService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: one object that owns the store and builds every service from it, for
 * {@code serve}, {@code demo} and the command-line commands alike. Adapters ({@code grpc},
 * {@code web}, {@code cli}) ask it for services and build none themselves.
 *
 * <p>Services are made on first use: a read-only command ({@code hosts}) never creates the
 * fleet key a policy needs, and a command that needs one service does not start the others.
 * Background work ({@link #startBackgroundJobs()}: alerts, campaign triggers and deliveries,
 * compliance snapshots, verdict sweeps, retention, the change feed) is registered here once, so
 * it runs whether or not the web server does.
 */
public final class Controller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Controller.class);
  /** How long after start the first daily prune runs (not at once: a restart loop must not prune in a loop). */
  public static final Duration FIRST_PRUNE_DELAY = Duration.ofMinutes(10);
  /** How often the compliance snapshot is taken. */
  public static final Duration SNAPSHOT_EVERY = Duration.ofHours(1);

  private final ControllerConfig config;
  private final Storage store;
  private final boolean ownsStore;
  private final Map<String, Object> services = new java.util.HashMap<>();
  private final Map<String, LongAdder> pruned = new ConcurrentHashMap<>();
  private final java.util.Set<String> labsPending = ConcurrentHashMap.newKeySet();
  private volatile boolean started;

  private Controller(ControllerConfig config, Storage store, boolean ownsStore) {
    this.config = requireNonNull(config, "config");
    this.store = requireNonNull(store, "store");
    this.ownsStore = ownsStore;
  }

  /** Opens the configured database (created when missing) and owns it: {@link #close()} closes it. */
  public static Controller open(ControllerConfig config) {
    requireNonNull(config, "config");
    return new Controller(config, Storage.open(config.database()), true);
  }

  /**
   * A controller over {@code store}, which it owns from now on ({@link #close()} closes it):
   * {@code serve --db postgresql://...} opens the database ({@link Storage#open(
   * io.labscan.controller.store.DatabaseUrl, io.labscan.controller.store.DatabaseCredentials, Clock)})
   * and hands it over; {@code config.database()} is then not opened.
   */
  public static Controller open(ControllerConfig config, Storage store) {
    return new Controller(requireNonNull(config, "config"), requireNonNull(store, "store"), true);
  }

  /**
   * A controller over a store the caller opened (a command that checked the file exists) and
   * keeps owning: {@link #close()} stops the services but leaves the store open.
   */
  public static Controller over(Storage store, Clock clock) {
    requireNonNull(store, "store");
    return new Controller(ControllerConfig.builder(store.file()).clock(requireNonNull(clock, "clock")).build(), store,
        false);
  }

  @SuppressWarnings("unchecked")
  private <T> T service(String name, Supplier<T> make) {
    // A plain map under one lock: making a service may make the ones it needs (re-entrant).
    synchronized (services) {
      Object existing = services.get(name);
      if (existing == null) {
        existing = make.get();
        services.put(name, existing);
      }
      return (T) existing;
    }
  }

  public ControllerConfig config() {
    return config;
  }

  public Storage store() {
    return store;
  }

  public Clock clock() {
    return config.clock();
  }

  /** The agents' open command streams (empty outside {@code serve}). */
  public CommandHub commands() {
    return service("commands", CommandHub::new);
  }

  public PolicyProvider policies() {
    return service("policies", () -> new PolicyProvider(store, quarantines(), clock()));
  }

  public VerdictService verdicts() {
    return service("verdicts", () -> new VerdictService(store, config.verdictPolicy(), clock()));
  }

  /** Report ingestion; each stored report also brings its host's effective lab up to date. */
  public ReportIngestor ingestor() {
    return service("ingestor", () -> {
      ReportIngestor ingestor = new ReportIngestor(store, verdicts(), clock());
      ingestor.addListener((report, outcome, latency) -> {
        if (outcome == Store.IngestOutcome.STORED) {
          refreshLabSoon(report.getInventory().getHostId());
        }
      });
      return ingestor;
    });
  }

  /**
   * Brings a host's effective lab up to date on the lab thread: ingest listeners run on the
   * store's writer thread, which must not wait for its own write. A host already queued is not
   * queued twice.
   */
  private void refreshLabSoon(String hostId) {
    if (!labsPending.add(hostId)) {
      return;
    }
    try {
      labs().execute(() -> {
        labsPending.remove(hostId);
        try {
          labRules().refresh(hostId);
        } catch (RuntimeException e) {
          log.warn("Effective lab of a reporting host not updated: {}", e.getMessage());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      labsPending.remove(hostId);
    }
  }

  private java.util.concurrent.ExecutorService labs() {
    return service("labs", () -> java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "labscan-effective-lab");
      t.setDaemon(true);
      return t;
    }));
  }

  /** Waits until the effective labs of the reports ingested so far are stored (tests, demo). */
  public void flushLabs() {
    try {
      labs().submit(() -> { }).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * SMTP quarantine orders and the agents' reports of them: one instance, shared by the fleet
   * view, the policy (each host's order), the CLI, the web API and {@code serve}'s sweep.
   */
  public Quarantines quarantines() {
    return service("quarantines", () -> new Quarantines(store, clock()));
  }

  public LabRules labRules() {
    return service("labRules", () -> new LabRules(store, clock()));
  }

  public Fleet fleet() {
    return service("fleet", () -> new Fleet(store, labRules(), config.verdictPolicy(), quarantines(), clock()));
  }

  public ComplianceHistory complianceHistory() {
    return service("complianceHistory", () -> new ComplianceHistory(fleet()));
  }

  public Accounts accounts() {
    return service("accounts", () -> new Accounts(store, Accounts.DEFAULT_COST, clock()));
  }

  public Sessions sessions() {
    return service("sessions", () -> new Sessions(store, clock()));
  }

  /** API tokens (issue 18). */
  public io.labscan.controller.account.ApiTokens apiTokens() {
    return service("apiTokens", () -> new io.labscan.controller.account.ApiTokens(store, clock()));
  }

  /**
   * The audit log: every feature records its changes and sensitive reads here
   * ({@link io.labscan.controller.audit.Audit#record}).
   */
  public io.labscan.controller.audit.AuditLog audit() {
    return service("audit", () -> new io.labscan.controller.audit.AuditLog(store, clock()));
  }

  public TrustedMtas trustedMtas() {
    return service("trustedMtas", () -> new TrustedMtas(store.database(), clock()));
  }

  /** Complaint triage over this store, trusting the configured MTAs beside the stored ones. */
  public ComplaintTriage complaints() {
    return service("complaints", () -> new ComplaintTriage(store, verdicts(), config.trust(), clock()));
  }

  /**
   * Complaints that arrived in watched mailboxes, as the Complaints page, its API and /metrics
   * read them (stored ones too when no mailbox is watched now).
   */
  public io.labscan.controller.complaint.ComplaintsView complaintsView() {
    return service("complaintsView", () -> io.labscan.controller.complaint.ComplaintsView.of(store,
        () -> complaintWatch.status(), clock()));
  }

  private volatile io.labscan.controller.complaint.ComplaintWatch complaintWatch =
      io.labscan.controller.complaint.ComplaintWatch.none();

  /**
   * Starts watching complaint mailboxes ({@code serve --complaint-mailbox}): each new message is
   * triaged by {@link #complaints()} and alerts go to {@link #alerts()}. Once; stopped by
   * {@link #close()}.
   */
  public synchronized void watchComplaintMailboxes(List<io.labscan.controller.complaint.MailboxConfig> mailboxes,
      io.labscan.controller.complaint.WatchSettings settings) {
    if (!complaintWatch.status().isEmpty() || mailboxesWatched) {
      throw new IllegalStateException("complaint mailboxes are watched already");
    }
    mailboxesWatched = true;
    List<io.labscan.controller.complaint.MailboxConfig> boxes = List.copyOf(mailboxes);
    requireNonNull(settings, "settings");
    // Once among controllers sharing the database (issue 20): the holder of the lock watches; the
    // others start when they take it over and stop when they lose it. Each message is also
    // checked against the lock right before it is triaged.
    SingletonLocks once = singletons();
    java.util.function.BooleanSupplier mayHandle = once.gate(SingletonLocks.COMPLAINT_MAILBOXES);
    Runnable start = () -> {
      synchronized (mailboxLock) {
        if (complaintWatch.status().isEmpty() && !closing) {
          complaintWatch = io.labscan.controller.complaint.ComplaintWatch.start(boxes, settings, store,
              complaints().forMailboxes(), alerts()::raise, clock(), mayHandle);
        }
      }
    };
    once.onChange(SingletonLocks.COMPLAINT_MAILBOXES, held -> {
      if (held) {
        start.run();
      } else {
        synchronized (mailboxLock) {
          complaintWatch.close();
          complaintWatch = io.labscan.controller.complaint.ComplaintWatch.none();
        }
      }
    });
    if (mayHandle.getAsBoolean()) {
      start.run();
    }
  }

  private final Object mailboxLock = new Object();
  private volatile boolean mailboxesWatched;
  private volatile boolean closing;

  /** Compliance reports over date ranges (issue 18). */
  public io.labscan.controller.report.ComplianceReports reports() {
    return service("reports", () -> new io.labscan.controller.report.ComplianceReports(fleet()));
  }

  /** Subscriptions to scheduled reports. */
  public io.labscan.controller.report.ReportSubscriptions reportSubscriptions() {
    return service("reportSubscriptions", () -> new io.labscan.controller.report.ReportSubscriptions(store, clock(),
        io.labscan.controller.oidc.SsoAccounts.verifiedEmails(store)));
  }

  /**
   * Registers the scheduled-report job (every {@link io.labscan.controller.report.ReportDelivery#EVERY},
   * the first round a minute from now) sending through {@code mailer}; once.
   */
  public synchronized io.labscan.controller.report.ReportDelivery startReportDelivery(
      io.labscan.controller.report.ReportMailer mailer) {
    return startReportDelivery(mailer, java.util.Optional.empty());
  }

  /**
   * As {@link #startReportDelivery(io.labscan.controller.report.ReportMailer)}, with the
   * dashboard's address for confirmation links; confirmation mails that are due are looked for
   * every minute (on the report thread), not only at the next round of reports.
   */
  public synchronized io.labscan.controller.report.ReportDelivery startReportDelivery(
      io.labscan.controller.report.ReportMailer mailer, java.util.Optional<java.net.URI> dashboard) {
    io.labscan.controller.report.ReportDelivery delivery = new io.labscan.controller.report.ReportDelivery(
        reportSubscriptions(), reports(), accounts(), requireNonNull(mailer, "mailer"), audit(), clock(), dashboard);
    // Its own thread: a slow or tarpitting relay (per-read timeouts do not bound a reply dribbled a
    // line at a time) must never hold the one background thread that runs the change feed, and
    // with it revocations, snapshots and retention. A round still running when the next is due is
    // skipped, never queued.
    java.util.concurrent.ExecutorService thread = reportThread();
    java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
    // Confirmation mails go out within a minute of the subscription (a cheap look for due ones),
    // not at the next round of reports; on the same thread, never two at once.
    java.util.concurrent.atomic.AtomicBoolean confirming = new java.util.concurrent.atomic.AtomicBoolean();
    // Once among controllers sharing the database (issue 20): asked again on the report thread,
    // right before the round runs.
    java.util.function.BooleanSupplier once = singletons().gate(SingletonLocks.SCHEDULED_REPORTS);
    jobs().every("report confirmations", Duration.ofMinutes(1), Duration.ofMinutes(1), () -> {
      if (confirming.compareAndSet(false, true)) {
        thread.execute(() -> {
          try {
            if (once.getAsBoolean()) {
              delivery.sendConfirmations();
            }
          } finally {
            confirming.set(false);
          }
        });
      }
    });
    jobs().every("scheduled reports", Duration.ofMinutes(1), io.labscan.controller.report.ReportDelivery.EVERY,
        () -> {
          if (running.compareAndSet(false, true)) {
            thread.execute(() -> {
              try {
                if (once.getAsBoolean()) {
                  delivery.runOnce();
                }
              } finally {
                running.set(false);
              }
            });
          }
        });
    return delivery;
  }

  private java.util.concurrent.ExecutorService reportThread() {
    return service("report delivery", () -> java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "labscan-report-delivery");
      t.setDaemon(true);
      return t;
    }));
  }

  /** Scan campaigns, reaching agents through {@link #commands()}. */
  public CampaignService campaigns() {
    return service("campaigns", () -> new CampaignService(store, commands().agentCommands(), fleet().targets(),
        clock()));
  }

  /** Alerts to the configured sinks (none: alerts are dropped); told of every verdict change. */
  public AlertDispatcher alerts() {
    return service("alerts", () -> {
      List<AlertSink> sinks = new ArrayList<>();
      config.alertWebhook().ifPresent(url -> sinks.add(new WebhookSink(url)));
      config.alertSyslog().ifPresent(target -> sinks.add(SyslogSink.parse(target)));
      // Several controllers may share a PostgreSQL database: each alert is claimed there first, so
      // it goes out once between them (issue 20); alone on a SQLite file, every alert is ours.
      AlertDispatcher alerts = new AlertDispatcher(sinks, sinks.isEmpty()
          || !(store.database() instanceof io.labscan.controller.store.postgres.PostgresDatabase)
          ? io.labscan.controller.alert.AlertClaims.ALWAYS
          : new io.labscan.controller.alert.StoredAlertClaims(store, singletons().instanceId(), clock()));
      verdicts().addListener(alerts);
      sinks.forEach(s -> log.info("Alerts go to {}", s.describe()));
      return alerts;
    });
  }

  /** Prometheus metrics, counting every ingested report from now on. */
  public ControllerMetrics metrics() {
    return service("metrics", () -> {
      ControllerMetrics metrics = new ControllerMetrics(() -> commands().connectedHosts().size(),
          () -> verdictCounts(store.verdicts()), store::databaseBytes, this::prunedRows);
      ingestor().addListener(metrics);
      metrics.complaintsPerDay(complaintsView()::perDay);
      metrics.agentResources(new io.labscan.controller.selfwatch.AgentResourcesView(store, clock())::labs);
      SingletonLocks once = singletons();
      metrics.singletonJobs(once::jobs, once::held, once.instanceId());
      return metrics;
    });
  }

  private static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();

  /**
   * The locks of the work that must run on one controller at a time when several share one
   * database (issue 20; docs/postgresql.md, "Several controllers: work that runs once"): verdict
   * sweeps, campaign triggers, compliance snapshots, retention, scheduled reports, complaint
   * mailboxes, quarantine rules. Held alone on SQLite.
   */
  public SingletonLocks singletons() {
    return service("singletons", () -> {
      int n = INSTANCES.incrementAndGet();
      String id = SingletonLocks.defaultInstanceId() + (n == 1 ? "" : "-" + n);
      return store.singletonLocks(id);
    });
  }

  /** The registry of {@code serve}'s periodic jobs. */
  public BackgroundJobs jobs() {
    return service("jobs", BackgroundJobs::new);
  }

  /** One poll of the database for commits by other processes, fanned out to its listeners. */
  public ChangeFeed changes() {
    return service("changes", () -> new ChangeFeed(store::dataVersion, clock()));
  }

  /**
   * On PostgreSQL, the connection that {@code LISTEN}s for committed changes and wakes the
   * {@link #changes() change feed} at once (issue 20; {@link
   * io.labscan.controller.store.postgres.PostgresChangeListener}); empty on SQLite, where the
   * periodic poll alone is enough (one controller per file). Started with the background jobs.
   */
  public Optional<io.labscan.controller.store.postgres.PostgresChangeListener> changeNotifications() {
    if (!(store.database() instanceof io.labscan.controller.store.postgres.PostgresDatabase pg)) {
      return Optional.empty();
    }
    return Optional.of(service("change notifications", () -> {
      String id = singletons().instanceId();
      return io.labscan.controller.store.postgres.PostgresChangeListener.start(
          () -> pg.sessionConnection(io.labscan.controller.store.postgres.PostgresChangeListener.APPLICATION_NAME + " "
              + id), changes()::wake, id);
    }));
  }

  /**
   * Starts the background work once (later calls do nothing): alerts, verdict sweeps, campaign
   * schedules and deliveries, the hourly compliance snapshot, the daily prune when retention is
   * configured, and the change feed every {@link ControllerConfig#changePoll()} (on PostgreSQL
   * also at once when a notification arrives: {@link #changeNotifications()}).
   */
  public synchronized void startBackgroundJobs() {
    if (started) {
      return;
    }
    started = true;
    alerts();
    metrics();
    try {
      labRules().refreshAll();
    } catch (RuntimeException e) {
      log.warn("Effective labs not brought up to date at start: {}", e.getMessage());
    }
    SingletonLocks once = singletons();
    verdicts().startSweeping(once.gate(SingletonLocks.VERDICT_SWEEPS));
    // Every controller keeps every schedule; only the holder of the triggers fires, and the one
    // taking them over fires what fell due meanwhile (CampaignService.catchUpMissed).
    CampaignService campaigns = campaigns();
    once.onChange(SingletonLocks.CAMPAIGN_TRIGGERS, held -> {
      if (held) {
        campaigns.catchUpMissed();
      }
    });
    campaigns.start(false, once.gate(SingletonLocks.CAMPAIGN_TRIGGERS));
    changes().listen("policy cache", policies()::invalidate);
    changes().listen("campaign schedules", campaigns::syncSchedules);
    // Not a singleton: each controller delivers to the agents connected to it.
    changes().listen("campaign deliveries", campaigns::deliverWaiting);
    // The periodic poll is the fallback on PostgreSQL, where a notification wakes the feed at once.
    jobs().every("change feed", config.changePoll(), config.changePoll(), changes()::poll);
    changeNotifications();
    jobs().every("compliance snapshot", Duration.ofMinutes(1), SNAPSHOT_EVERY,
        once.gated(SingletonLocks.COMPLIANCE_SNAPSHOTS, complianceHistory()::snapshot));
    config.retention().ifPresent(this::startDailyPrune);
    // Not a singleton: each controller looks, and the alert's claim sends it once between them.
    io.labscan.controller.alert.MtaClaimWatch mtaClaims = new io.labscan.controller.alert.MtaClaimWatch(store,
        this::trustEntries, alerts()::raise, clock());
    jobs().every("false MTA address claims", Duration.ofMinutes(1), Duration.ofMinutes(1), mtaClaims::check);
  }

  /** The configured MTAs now: {@code serve --trust}, then the Settings page's stored entries. */
  public List<String> trustEntries() {
    List<String> all = new ArrayList<>(config.trust().entries());
    trustedMtas().entries().stream().filter(e -> !all.contains(e)).forEach(all::add);
    return all;
  }

  /** Whether {@link #startBackgroundJobs()} ran. */
  public boolean backgroundJobsStarted() {
    return started;
  }

  /** Prunes old evidence by {@code retention} once a day, the first time {@link #FIRST_PRUNE_DELAY} from now. */
  public void startDailyPrune(Pruner.Retention retention) {
    Pruner pruner = new Pruner(store, requireNonNull(retention, "retention"), clock(),
        List.of(new io.labscan.controller.complaint.ComplaintRetention()));
    jobs().every("daily prune", FIRST_PRUNE_DELAY, Duration.ofDays(1),
        singletons().gated(SingletonLocks.RETENTION, () -> pruneNow(pruner)));
  }

  /** Runs one prune now (the daily task), counting what it deleted for /metrics. */
  public Optional<Pruner.Result> pruneNow(Pruner pruner) {
    try {
      Pruner.Result result = pruner.prune(false);
      result.rows().forEach((table, rows) -> pruned.computeIfAbsent(table, t -> new LongAdder()).add(rows));
      log.info("Pruned {} rows older than the retention settings: {}.", result.total(), result.rows());
      return Optional.of(result);
    } catch (RuntimeException e) {
      log.warn("Prune failed (retried tomorrow): {}", e.getMessage());
      return Optional.empty();
    }
  }

  /** Rows deleted by retention since start, per table. */
  public Map<String, Long> prunedRows() {
    Map<String, Long> out = new TreeMap<>();
    pruned.forEach((table, rows) -> out.put(table, rows.sum()));
    return out;
  }

  /** How many hosts have each verdict. */
  public static Map<Verdict, Integer> verdictCounts(List<VerdictRecord> verdicts) {
    Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
    verdicts.forEach(v -> counts.merge(v.verdict(), 1, Integer::sum));
    return counts;
  }

  /** Stops the background work and the services; closes the store when this controller opened it. */
  @Override
  public void close() {
    closing = true;
    synchronized (mailboxLock) {
      complaintWatch.close();
    }
    closeIfMade("jobs", () -> jobs().close());
    closeIfMade("change notifications", () -> changeNotifications().ifPresent(
        io.labscan.controller.store.postgres.PostgresChangeListener::close));
    closeIfMade("changes", () -> changes().close());
    closeIfMade("labs", () -> labs().shutdownNow());
    closeIfMade("report delivery", () -> reportThread().shutdownNow());
    closeIfMade("campaigns", () -> campaigns().close());
    closeIfMade("alerts", () -> alerts().close());
    closeIfMade("commands", () -> commands().closeAll());
    closeIfMade("verdicts", () -> verdicts().close());
    closeIfMade("singletons", () -> singletons().close());
    if (ownsStore) {
      store.close();
    }
  }

  private void closeIfMade(String name, Runnable close) {
    boolean made;
    synchronized (services) {
      made = services.containsKey(name);
    }
    if (made) {
      try {
        close.run();
      } catch (RuntimeException e) {
        log.warn("Closing {} failed: {}", name, e.toString());
      }
    }
  }
}
