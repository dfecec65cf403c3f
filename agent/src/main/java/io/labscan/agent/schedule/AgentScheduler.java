package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's periodic jobs (heartbeat, nightly-scan check, address watch, egress flush) on a
 * Quartz scheduler: in memory (RAMJobStore), two worker threads, so a slow job (an inventory
 * read) never delays the heartbeat by its whole length. Jobs are plain {@link Runnable}s,
 * identified by name: scheduling a name again replaces its job. Quartz forgets its triggers on
 * restart, so anything that must survive one (a missed nightly scan) is recorded by the caller
 * on disk ({@link ScheduleStateStore}).
 *
 * <p>Measured for the footprint work (docs/PERFORMANCE.md, section 1): Quartz costs the
 * resident daemon ~100 classes and three threads that sleep until a trigger is due; a JDK
 * scheduled executor would save about a MiB. Quartz stays: it is the project's scheduling
 * library on both sides, and the controller's campaigns share its cron semantics.
 */
public final class AgentScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentScheduler.class);
  private static final String RUNNABLE = "runnable";
  private static final String NAME = "name";

  private final Scheduler scheduler;

  public AgentScheduler() {
    Properties p = new Properties();
    // A unique name: Quartz keeps schedulers in a JVM-wide registry by name, and tests run
    // several agents in one JVM.
    p.setProperty("org.quartz.scheduler.instanceName", "labscan-agent-" + UUID.randomUUID());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "labscan-schedule");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    try {
      scheduler = new StdSchedulerFactory(p).getScheduler();
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot start the scheduler: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code task} every {@code period}, first after {@code initialDelay}. Runs of one job
   * never overlap; a run that falls due while the previous one is still going is skipped, not
   * queued, so a stall does not make runs bunch up.
   */
  public void every(String name, Duration period, Duration initialDelay, Runnable task) {
    requireNonNull(name, "name");
    requireNonNull(task, "task");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period of " + name + " must be positive: " + period);
    }
    Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name)
        .startAt(new Date(System.currentTimeMillis() + Math.max(0, initialDelay.toMillis())))
        .withSchedule(SimpleScheduleBuilder.simpleSchedule()
            .withIntervalInMilliseconds(period.toMillis()).repeatForever()
            .withMisfireHandlingInstructionNextWithRemainingCount())
        .build();
    JobDataMap data = new JobDataMap();
    data.put(RUNNABLE, task);
    data.put(NAME, name);
    JobDetail job = JobBuilder.newJob(RunnableJob.class).withIdentity(name).usingJobData(data).build();
    try {
      scheduler.deleteJob(job.getKey());
      scheduler.scheduleJob(job, trigger);
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot schedule " + name + ": " + e.getMessage(), e);
    }
  }

  /** Stops a job; nothing when none has that name. A run in progress finishes. */
  public void cancel(String name) {
    requireNonNull(name, "name");
    try {
      scheduler.deleteJob(JobKey.jobKey(name));
    } catch (SchedulerException e) {
      log.warn("Cannot cancel job {}: {}", name, e.getMessage());
    }
  }

  /** The jobs scheduled now, by name (tests, diagnostics). */
  public Set<String> jobNames() {
    try {
      Set<String> names = new TreeSet<>();
      for (JobKey key : scheduler.getJobKeys(GroupMatcher.anyJobGroup())) {
        names.add(key.getName());
      }
      return Set.copyOf(names);
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot list scheduled jobs: " + e.getMessage(), e);
    }
  }

  /** Stops every job and waits for runs in progress. */
  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      log.warn("Scheduler shutdown: {}", e.getMessage());
    }
  }

  /** Quartz instantiates jobs by class; this one runs the Runnable it was handed. */
  @DisallowConcurrentExecution
  public static final class RunnableJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      JobDataMap data = context.getMergedJobDataMap();
      Runnable task = (Runnable) requireNonNull(data.get(RUNNABLE), "the job's Runnable");
      try {
        task.run();
      } catch (RuntimeException e) {
        // Logged, and the job keeps its schedule: the next heartbeat may well succeed.
        log.warn("Scheduled job {} failed: {}", data.getString(NAME), e.toString(), e);
      }
    }
  }
}
