package io.labscan.controller.campaign;

import io.labscan.controller.text.LogText;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanNow;
import java.text.ParseException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TimeZone;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.quartz.CronExpression;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scan campaigns: definitions in the database, schedules in an in-memory Quartz scheduler
 * (rebuilt from the definitions at start), "scan now" commands pushed on the agents' command
 * streams. A host that is offline when a run fires gets the command when it reconnects, as
 * long as that run is its campaign's newest and less than {@link #DELIVERY_WINDOW} old.
 *
 * <p>A run recorded by another process ({@code labscan-controller scan-now}, which reaches no
 * agent itself) waits in the database like an offline host's command: every
 * {@link #DELIVERY_SWEEP} the running controller sends the waiting commands of connected hosts.
 */
public final class CampaignService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CampaignService.class);
  private static final String GROUP = "labscan-campaigns";
  /** A run's command still goes to a host that reconnects within this time. */
  public static final Duration DELIVERY_WINDOW = Duration.ofDays(7);
  /** A delivered command without a full scan this long after delivery counts as failed. */
  public static final Duration SCAN_DEADLINE = Duration.ofHours(6);
  /** How often waiting commands go out to connected hosts. */
  public static final Duration DELIVERY_SWEEP = Duration.ofSeconds(2);
  public static final int MAX_NAME_LENGTH = 100;
  /**
   * A scheduled run that fell due while the controller was down is fired once at start when it
   * was due at most this long ago (later than that, the next scheduled run is nearer).
   */
  public static final Duration CATCH_UP_WINDOW = Duration.ofHours(24);

  private final CampaignRepository repository;
  private final AgentCommands agents;
  private final TargetResolver targets;
  private final Clock clock;
  private final Scheduler scheduler;
  /**
   * Whether scheduled runs fire here (issue 20): only on the controller holding the campaign
   * triggers' lock when several share a database; checked right before each firing.
   */
  private volatile java.util.function.BooleanSupplier firing = () -> true;
  /** One thread for every delivery (reconnects and sweeps), so no command goes out twice. */
  private final ScheduledExecutorService deliveries;

  public CampaignService(Storage store, AgentCommands agents, TargetResolver targets, Clock clock) {
    this.repository = new CampaignRepository(requireNonNull(store, "store"));
    this.agents = requireNonNull(agents, "agents");
    this.targets = requireNonNull(targets, "targets");
    this.clock = requireNonNull(clock, "clock");
    this.deliveries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "labscan-campaign-delivery");
      t.setDaemon(true);
      return t;
    });
    try {
      Properties props = new Properties();
      props.setProperty("org.quartz.scheduler.instanceName", "labscan-campaigns-" + UUID.randomUUID());
      props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
      props.setProperty("org.quartz.threadPool.threadCount", "1");
      props.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
      props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
      props.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
      this.scheduler = new StdSchedulerFactory(props).getScheduler();
      this.scheduler.setJobFactory((bundle, s) -> new FireJob(this));
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot create the campaign scheduler: " + e.getMessage(), e);
    }
  }

  /**
   * Schedules every stored campaign, starts the scheduler, listens for reconnecting agents and
   * sweeps waiting commands to connected ones.
   */
  public CampaignService start() {
    return start(true);
  }

  /**
   * As {@link #start()}; with {@code ownSweep} false no delivery sweep is scheduled here: the
   * controller's change feed calls {@link #deliverWaiting()} instead.
   */
  public CampaignService start(boolean ownSweep) {
    return start(ownSweep, () -> true);
  }

  /**
   * As {@link #start(boolean)}; scheduled runs (and the catch-up of missed ones) fire only while
   * {@code firing} says so, asked right before each firing. Every controller keeps every schedule
   * in its scheduler, so the one that takes the triggers over needs nothing but
   * {@link #catchUpMissed()} for a run that fell due while nobody held them.
   */
  public CampaignService start(boolean ownSweep, java.util.function.BooleanSupplier firing) {
    this.firing = requireNonNull(firing, "firing");
    for (Campaign c : repository.list()) {
      try {
        schedule(c);
      } catch (IllegalArgumentException e) {
        log.warn("Campaign {} not scheduled: {}", c.campaignId(), e.getMessage());
      }
    }
    if (firing.getAsBoolean()) {
      catchUpMissed();
    }
    agents.onConnect(this::hostConnected);
    if (ownSweep) {
      deliveries.scheduleWithFixedDelay(this::sweep, DELIVERY_SWEEP.toMillis(), DELIVERY_SWEEP.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot start the campaign scheduler: " + e.getMessage(), e);
    }
    return this;
  }

  /**
   * Stores and schedules a campaign. One without a cron expression runs at once (scan now).
   *
   * @throws IllegalArgumentException for an empty or long name, a bad cron expression or zone
   */
  public Campaign create(String name, Optional<String> lab, Optional<String> cron, String zone, String createdBy) {
    requireNonNull(createdBy, "createdBy");
    String trimmed = name == null ? "" : name.strip();
    if (trimmed.isEmpty() || trimmed.length() > MAX_NAME_LENGTH || trimmed.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("name must have 1-" + MAX_NAME_LENGTH + " characters and no control characters");
    }
    Optional<String> cronText = cron.map(String::strip).filter(s -> !s.isEmpty());
    cronText.ifPresent(CampaignService::checkCron);
    ZoneId zoneId;
    try {
      zoneId = ZoneId.of(zone == null || zone.isBlank() ? "UTC" : zone.strip());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("unknown time zone '" + zone + "'");
    }
    Campaign c = new Campaign(UUID.randomUUID().toString(), trimmed, lab.map(String::strip).filter(s -> !s.isEmpty()),
        cronText, zoneId, createdBy, clock.instant());
    repository.insert(c);
    if (c.cron().isPresent()) {
      schedule(c);
    } else {
      fire(c.campaignId(), createdBy);
    }
    return c;
  }

  /**
   * Fires, once each, the scheduled campaigns whose run fell due while no controller fired them
   * ({@link #catchUp}): at start, and when this controller takes the campaign triggers over from
   * one that died (a run due during the takeover is not lost). A run the other controller fired
   * is in the database, so it is not fired again. Does nothing unless this controller fires.
   */
  public synchronized void catchUpMissed() {
    if (!firing.getAsBoolean()) {
      return;
    }
    for (Campaign c : repository.list()) {
      try {
        catchUp(c);
      } catch (RuntimeException e) {
        log.warn("Campaign {} not caught up: {}", c.campaignId(), e.getMessage());
      }
    }
  }

  /**
   * Brings this controller's schedules in line with the stored campaigns: one created or deleted
   * through another controller sharing the database is scheduled or unscheduled here too, so
   * whichever controller holds the triggers fires every campaign. Cheap (one read of the
   * campaigns); the change feed calls it.
   */
  public synchronized void syncSchedules() {
    java.util.Set<String> stored = new java.util.HashSet<>();
    for (Campaign c : repository.list()) {
      if (c.cron().isEmpty()) {
        continue;
      }
      stored.add(c.campaignId());
      try {
        if (!scheduler.checkExists(JobKey.jobKey(c.campaignId(), GROUP))) {
          schedule(c);
        }
      } catch (SchedulerException | IllegalArgumentException e) {
        log.warn("Campaign {} not scheduled: {}", c.campaignId(), e.getMessage());
      }
    }
    try {
      for (JobKey key : scheduler.getJobKeys(org.quartz.impl.matchers.GroupMatcher.jobGroupEquals(GROUP))) {
        if (!stored.contains(key.getName())) {
          scheduler.deleteJob(key);
        }
      }
    } catch (SchedulerException e) {
      log.warn("Deleted campaigns not unscheduled: {}", e.getMessage());
    }
  }

  /**
   * Fires a scheduled campaign once when a run fell due while no controller was running: after
   * its newest run (or its creation) and within {@link #CATCH_UP_WINDOW}. The schedule in
   * memory is rebuilt at start and does not know what it missed; the runs in the database do.
   */
  private void catchUp(Campaign c) {
    if (c.cron().isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    Instant since = repository.runs(c.campaignId(), 1).stream().map(CampaignRepository.Run::fired)
        .filter(fired -> fired.isAfter(c.created())).findFirst().orElse(c.created());
    Instant windowStart = now.minus(CATCH_UP_WINDOW);
    Optional<Instant> missed = latestDue(c.cron().get(), c.zone(), since.isAfter(windowStart) ? since : windowStart,
        now);
    if (missed.isPresent()) {
      log.info("Campaign '{}' was due at {} while the controller was down: firing it now.", printable(c.name()),
          missed.get());
      fire(c.campaignId(), "schedule (catch-up of " + missed.get() + ")");
    }
  }

  /** The last time in {@code (after, until]} the cron expression fires, if any. */
  static Optional<Instant> latestDue(String cron, ZoneId zone, Instant after, Instant until) {
    CronExpression expression;
    try {
      expression = new CronExpression(cron);
    } catch (ParseException e) {
      throw new IllegalArgumentException("'" + cron + "' is not a Quartz cron expression", e);
    }
    expression.setTimeZone(TimeZone.getTimeZone(zone));
    Optional<Instant> latest = Optional.empty();
    Date next = expression.getTimeAfter(Date.from(after));
    // Bounded: a schedule firing every second has 86,400 times in the window; the last is enough.
    for (int i = 0; next != null && !next.toInstant().isAfter(until) && i < 100_000; i++) {
      latest = Optional.of(next.toInstant());
      next = expression.getTimeAfter(next);
    }
    return latest;
  }

  static void checkCron(String cron) {
    if (!CronExpression.isValidExpression(cron)) {
      throw new IllegalArgumentException("'" + cron + "' is not a Quartz cron expression "
          + "(seconds minutes hours day-of-month month day-of-week, e.g. '0 0 1 * * ?' for 01:00 every night)");
    }
  }

  public List<Campaign> list() {
    return repository.list();
  }

  public Optional<Campaign> find(String campaignId) {
    return repository.find(campaignId);
  }

  /** When the campaign fires next; empty for on-demand campaigns. */
  public Optional<Instant> nextFire(String campaignId) {
    try {
      Trigger t = scheduler.getTrigger(TriggerKey.triggerKey(campaignId, GROUP));
      return t == null || t.getNextFireTime() == null ? Optional.empty()
          : Optional.of(t.getNextFireTime().toInstant());
    } catch (SchedulerException e) {
      return Optional.empty();
    }
  }

  public boolean delete(String campaignId) {
    try {
      scheduler.deleteJob(JobKey.jobKey(campaignId, GROUP));
    } catch (SchedulerException e) {
      log.warn("Campaign {} not unscheduled: {}", campaignId, e.getMessage());
    }
    return repository.delete(campaignId);
  }

  /**
   * Fires a campaign now: a "full scan now" command to every targeted host that is connected;
   * the others get it when they reconnect.
   *
   * @return the run, or empty when there is no such campaign
   */
  public Optional<RunStatus> fire(String campaignId, String firedBy) {
    Optional<Campaign> found = repository.find(campaignId);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Campaign c = found.get();
    Instant now = clock.instant();
    String runId = UUID.randomUUID().toString();
    List<CampaignRepository.NewTarget> rows = new ArrayList<>();
    int delivered = 0;
    for (String hostId : targets.hostIds(c.lab())) {
      String commandId = UUID.randomUUID().toString();
      boolean sent = agents.send(hostId, scanNow(commandId, c.campaignId(), now));
      delivered += sent ? 1 : 0;
      rows.add(new CampaignRepository.NewTarget(hostId, commandId, sent ? Optional.of(now) : Optional.empty()));
    }
    repository.insertRun(runId, c.campaignId(), now, firedBy, rows);
    log.info("Campaign '{}' fired by {}: {} hosts, {} reached now, {} waiting for their agent", printable(c.name()),
        printable(firedBy), rows.size(), delivered, rows.size() - delivered);
    return runs(c.campaignId(), 1).stream().findFirst();
  }

  /** The newest {@code limit} runs of a campaign with each host's state, newest first. */
  public List<RunStatus> runs(String campaignId, int limit) {
    Instant now = clock.instant();
    List<RunStatus> out = new ArrayList<>();
    for (CampaignRepository.Run run : repository.runs(campaignId, limit)) {
      List<RunStatus.Target> list = new ArrayList<>();
      for (CampaignRepository.TargetRow row : repository.targets(run)) {
        list.add(target(row, now));
      }
      out.add(new RunStatus(run.runId(), run.campaignId(), run.fired(), run.firedBy(), list));
    }
    return out;
  }

  static RunStatus.Target target(CampaignRepository.TargetRow row, Instant now) {
    TargetState state;
    String detail;
    if (row.scanFinished().isPresent()) {
      boolean failed = !row.failedChecks().isEmpty();
      state = failed ? TargetState.FAILED : TargetState.COMPLETED;
      detail = "full scan finished " + row.scanFinished().get()
          + (failed ? "; failed checks: " + row.failedChecks() : "");
    } else if (row.delivered().isEmpty()) {
      state = TargetState.OFFLINE;
      detail = "offline: the command waits for the agent to reconnect";
    } else if (now.isAfter(row.delivered().get().plus(SCAN_DEADLINE))) {
      state = TargetState.FAILED;
      detail = "delivered " + row.delivered().get() + " but no full scan within " + SCAN_DEADLINE.toHours() + " h";
    } else {
      state = TargetState.PENDING;
      detail = "delivered " + row.delivered().get() + "; waiting for the scan report";
    }
    return new RunStatus.Target(row.hostId(), row.hostname(), row.commandId(), row.delivered(), state, detail);
  }

  private void hostConnected(String hostId) {
    deliveries.execute(() -> {
      try {
        deliverPending(hostId);
      } catch (RuntimeException e) {
        log.warn("Pending campaign commands for {} not delivered: {}", hostId, e.getMessage());
      }
    });
  }

  /** Sends a reconnecting host the commands it missed; returns how many went out. */
  int deliverPending(String hostId) {
    return deliver(repository.undelivered(Optional.of(hostId), clock.instant(), DELIVERY_WINDOW), Set.of(hostId));
  }

  /** Sends every connected host its waiting commands; returns how many went out. */
  int deliverToConnected() {
    Set<String> connected = agents.connected();
    if (connected.isEmpty()) {
      return 0;
    }
    return deliver(repository.undelivered(Optional.empty(), clock.instant(), DELIVERY_WINDOW), connected);
  }

  private int deliver(List<CampaignRepository.Undelivered> waiting, Set<String> reachable) {
    Instant now = clock.instant();
    int sent = 0;
    for (CampaignRepository.Undelivered u : waiting) {
      if (reachable.contains(u.hostId()) && agents.send(u.hostId(), scanNow(u.commandId(), u.campaignId(), now))) {
        repository.markDelivered(u.runId(), u.hostId(), now);
        sent++;
      }
    }
    return sent;
  }

  /** Sends the waiting commands of connected hosts soon, on the delivery thread. */
  public void deliverWaiting() {
    try {
      deliveries.execute(this::sweep);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closing: nothing more goes out
    }
  }

  private void sweep() {
    try {
      int sent = deliverToConnected();
      if (sent > 0) {
        log.info("Delivered {} waiting scan command(s) to connected hosts.", sent);
      }
    } catch (RuntimeException e) {
      log.warn("Waiting campaign commands not delivered: {}", e.getMessage());
    }
  }

  /** Waits until queued deliveries to reconnecting hosts have run (tests). */
  void flush() {
    try {
      deliveries.submit(() -> { }).get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Command scanNow(String commandId, String campaignId, Instant issued) {
    return Command.newBuilder()
        .setCommandId(commandId)
        .setIssued(Timestamps.fromMillis(issued.toEpochMilli()))
        .setScanNow(ScanNow.newBuilder().setKind(ScanKind.SCAN_KIND_FULL).setCampaignId(campaignId))
        .build();
  }

  private void schedule(Campaign c) {
    if (c.cron().isEmpty()) {
      return;
    }
    checkCron(c.cron().get());
    JobDetail job = JobBuilder.newJob(FireJob.class).withIdentity(c.campaignId(), GROUP).build();
    Trigger trigger = TriggerBuilder.newTrigger().withIdentity(c.campaignId(), GROUP)
        .withSchedule(CronScheduleBuilder.cronSchedule(c.cron().get())
            .inTimeZone(TimeZone.getTimeZone(c.zone()))
            .withMisfireHandlingInstructionFireAndProceed())
        .build();
    try {
      // Replacing: the change feed's syncSchedules may have scheduled it already (same key, same cron).
      scheduler.scheduleJob(job, java.util.Set.of(trigger), true);
    } catch (SchedulerException e) {
      throw new IllegalArgumentException("cannot schedule: " + e.getMessage(), e);
    }
  }

  private static String printable(String s) {
    return LogText.of(s);
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(false);
    } catch (SchedulerException e) {
      log.debug("Campaign scheduler shutdown: {}", e.getMessage());
    }
    deliveries.shutdownNow();
  }

  /** The Quartz job: fires the campaign named by its key. */
  static final class FireJob implements Job {
    private final CampaignService service;

    FireJob(CampaignService service) {
      this.service = service;
    }

    @Override
    public void execute(JobExecutionContext context) {
      String campaignId = context.getJobDetail().getKey().getName();
      if (!service.firing.getAsBoolean()) {
        log.debug("Campaign {} is due; another controller fires it.", campaignId);
        return;
      }
      try {
        service.fire(campaignId, "schedule");
      } catch (RuntimeException e) {
        log.warn("Campaign {} did not fire: {}", campaignId, e.getMessage());
      }
    }
  }
}
