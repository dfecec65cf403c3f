package io.labscan.controller.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.store.postgres.PostgresSingletonLocks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The once-only jobs of a controller alone on its SQLite file (issue 20): nothing changes for it. */
class SingletonLocksTest {
  @TempDir Path dir;

  @Test
  void aControllerOnSqliteHoldsEveryOnceOnlyJobFromTheStart() {
    try (Controller controller = Controller.open(ControllerConfig.builder(dir.resolve("controller.db"))
        .clock(Clock.systemUTC()).build())) {
      controller.startBackgroundJobs();

      SingletonLocks locks = controller.singletons();
      assertThat(locks.jobs()).contains(SingletonLocks.VERDICT_SWEEPS, SingletonLocks.CAMPAIGN_TRIGGERS,
          SingletonLocks.COMPLIANCE_SNAPSHOTS);
      assertThat(locks.jobs()).allSatisfy(job -> {
        assertThat(locks.held(job)).as(job).isTrue();
        assertThat(locks.mayRun(job)).as(job).isTrue();
      });
      String metrics = new String(controller.metrics().scrape(), StandardCharsets.UTF_8);
      assertThat(metrics).contains("labscan_singleton_job_held{job=\"verdict sweeps\"} 1.0",
          "labscan_singleton_job_held{job=\"campaign triggers\"} 1.0",
          "labscan_controller_instance_info{instance=\"" + locks.instanceId() + "\"} 1.0");
    }
  }

  @Test
  void aGatedJobRunsEachTimeWhileItsLockIsHeld() {
    AtomicInteger runs = new AtomicInteger();
    Runnable job = SingletonLocks.always("lab-ctl-1:42").gated("compliance snapshots", runs::incrementAndGet);

    job.run();
    job.run();

    assertThat(runs).hasValue(2);
  }

  @Test
  void aGatedJobDoesNotRunWhereTheLockIsNotHeld() {
    AtomicInteger runs = new AtomicInteger();
    // Never connects: no lock is ever held.
    try (PostgresSingletonLocks locks = PostgresSingletonLocks.start(() -> {
      throw new java.sql.SQLException("connection refused");
    }, "lab-ctl-2:43")) {
      Runnable job = locks.gated("compliance snapshots", runs::incrementAndGet);

      job.run();

      assertThat(runs).hasValue(0);
      assertThat(locks.jobs()).isEqualTo(List.of("compliance snapshots"));
      assertThat(locks.held("compliance snapshots")).isFalse();
    }
  }

  @Test
  void lockKeysAreStableAcrossVersionsAndProcesses() {
    // Pinned: a controller of another version must contend for the same lock.
    assertThat(PostgresSingletonLocks.NAMESPACE).isEqualTo(0x4C534A42);
    assertThat(PostgresSingletonLocks.key("verdict sweeps")).isEqualTo(PostgresSingletonLocks.key("verdict sweeps"));
    assertThat(PostgresSingletonLocks.key("verdict sweeps")).isNotEqualTo(PostgresSingletonLocks.key("retention"));
    assertThat(List.of(SingletonLocks.VERDICT_SWEEPS, SingletonLocks.CAMPAIGN_TRIGGERS,
        SingletonLocks.COMPLIANCE_SNAPSHOTS, SingletonLocks.RETENTION, SingletonLocks.SCHEDULED_REPORTS,
        SingletonLocks.COMPLAINT_MAILBOXES, SingletonLocks.QUARANTINE_RULES).stream()
        .map(PostgresSingletonLocks::key).distinct()).hasSize(7);
  }
}
