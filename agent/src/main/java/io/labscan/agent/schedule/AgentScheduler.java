package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import java.util.TimeZone;
import java.util.UUID;
import org.quartz.CronScheduleBuilder;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's Quartz scheduler: in memory (RAMJobStore), two threads. Jobs are plain
 * {@link Runnable}s; Quartz only decides when they run. Quartz forgets its triggers on
 * restart, so anything that must survive one (a missed nightly scan) is recorded by the
 * caller on disk.
 */
public final class AgentScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentScheduler.class);
  private static final String RUNNABLE = "runnable";

  private final Scheduler scheduler;

  public AgentScheduler() {
    Properties p = new Properties();
    // A unique name: Quartz keeps schedulers in a JVM-wide registry by name, and tests run
    // several agents in one JVM.
    p.setProperty("org.quartz.scheduler.instanceName", "labscan-agent-" + UUID.randomUUID());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    try {
      scheduler = new StdSchedulerFactory(p).getScheduler();
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot start the scheduler: " + e.getMessage(), e);
    }
  }

  /** Runs {@code task} every {@code period}, first after {@code initialDelay}. */
  public void every(String name, Duration period, Duration initialDelay, Runnable task) {
    Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name)
        .startAt(new Date(System.currentTimeMillis() + initialDelay.toMillis()))
        .withSchedule(SimpleScheduleBuilder.simpleSchedule()
            .withIntervalInMilliseconds(period.toMillis()).repeatForever()
            .withMisfireHandlingInstructionNextWithRemainingCount())
        .build();
    schedule(name, task, trigger);
  }

  /** Runs {@code task} on a Quartz cron expression in the given zone. */
  public void cron(String name, String expression, TimeZone zone, Runnable task) {
    Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name)
        .withSchedule(CronScheduleBuilder.cronSchedule(expression).inTimeZone(zone)
            .withMisfireHandlingInstructionDoNothing())
        .build();
    schedule(name, task, trigger);
  }

  /** Runs {@code task} once at {@code when}. */
  public void once(String name, Date when, Runnable task) {
    Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name + "-" + UUID.randomUUID())
        .startAt(when).build();
    schedule(name + "-" + trigger.getKey().getName(), task, trigger);
  }

  public void cancel(String name) {
    try {
      scheduler.deleteJob(JobKey.jobKey(name));
    } catch (SchedulerException e) {
      log.warn("Cannot cancel job {}: {}", name, e.getMessage());
    }
  }

  private void schedule(String name, Runnable task, Trigger trigger) {
    requireNonNull(task, "task");
    JobDataMap data = new JobDataMap();
    data.put(RUNNABLE, task);
    JobDetail job = JobBuilder.newJob(RunnableJob.class).withIdentity(name).usingJobData(data).build();
    try {
      scheduler.deleteJob(job.getKey());
      scheduler.scheduleJob(job, trigger);
    } catch (SchedulerException e) {
      throw new IllegalStateException("Cannot schedule " + name + ": " + e.getMessage(), e);
    }
  }

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
      Runnable r = (Runnable) context.getMergedJobDataMap().get(RUNNABLE);
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("Scheduled job {} failed: {}", context.getJobDetail().getKey().getName(), e.toString(), e);
      }
    }
  }
}
