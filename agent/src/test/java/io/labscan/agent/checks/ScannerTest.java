package io.labscan.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.standard.StandardChecks;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ScannerTest {
  @TempDir Path dir;
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-27T02:00:00Z"), ZoneOffset.UTC);

  private ScanContext context() {
    return new ScanContext(dir, false, PolicyDefaults.defaults(), dir, clock, ScanPlan.full("test"));
  }

  /** The body of a test check. */
  @FunctionalInterface
  private interface Body {
    void run(ScanContext c, EvidenceSink sink) throws Exception;
  }

  private static Check check(String name, Body body) {
    return new Check() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void run(ScanContext c, EvidenceSink sink) throws Exception {
        body.run(c, sink);
      }
    };
  }

  @Test
  void aFailingCheckIsRecordedAndTheOthersStillRun() {
    Check broken = check("broken", (c, s) -> {
      throw new IllegalStateException("registry hive unreadable");
    });
    Check av = check("av", (c, s) -> s.av(AvStatus.newBuilder().setProvider("clamav")
        .setState(AvState.AV_STATE_FRESH).build()));

    Report report = new Scanner(List.of(broken, av), new AtomicLong()::incrementAndGet).scan(context());

    assertThat(report.getAvList()).hasSize(1);
    assertThat(report.getScan().getChecksList()).satisfiesExactly(
        c -> {
          assertThat(c.getCheck()).isEqualTo("broken");
          assertThat(c.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_FAILED);
          assertThat(c.getMessage()).contains("registry hive unreadable");
        },
        c -> assertThat(c.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_OK));
  }

  @Test
  void everyReportGetsAFreshIdAndTheNextSequenceNumber() {
    Scanner scanner = new Scanner(List.of(), new AtomicLong(41)::incrementAndGet);
    Report first = scanner.scan(context());
    Report second = scanner.scan(context());
    assertThat(first.getReportId()).isNotEqualTo(second.getReportId());
    assertThat(first.getSequence()).isEqualTo(42);
    assertThat(second.getSequence()).isEqualTo(43);
  }

  @Test
  void anOfflineScanRecordsItsRootAndSkipCounts() {
    Check walker = check("walker", (c, s) -> {
      s.scanned(3, 300);
      s.skipped("too-large", 2);
      s.skipped("too-large", 1);
    });
    Report report = new Scanner(List.of(walker), () -> 1).scan(context());
    assertThat(report.getScan().getRoot()).isEqualTo(dir.toString());
    assertThat(report.getScan().getFilesScanned()).isEqualTo(3);
    assertThat(report.getScan().getSkippedMap()).containsEntry("too-large", 3L);
  }

  @Test
  void checksThatDoNotApplyToTheScanKindAreNotRun() {
    Check fullOnly = new Check() {
      @Override
      public String name() {
        return "full-only";
      }

      @Override
      public boolean appliesTo(ScanPlan plan) {
        return plan.isFull();
      }

      @Override
      public void run(ScanContext c, EvidenceSink sink) {
        throw new AssertionError("must not run");
      }
    };
    ScanContext quick = new ScanContext(dir, false, PolicyDefaults.defaults(), dir, clock,
        new ScanPlan(io.labscan.proto.v1.ScanKind.SCAN_KIND_QUICK, "test"));
    Report report = new Scanner(List.of(fullOnly), () -> 1).scan(quick);
    assertThat(report.getScan().getChecksList()).isEmpty();
  }

  private ScanContext context(Policy policy) {
    return new ScanContext(dir, false, policy, dir, clock, ScanPlan.full("test"));
  }

  private static AvStatus freshClamAv() {
    return AvStatus.newBuilder().setProvider("clamav").setState(AvState.AV_STATE_FRESH).build();
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aCheckThatIgnoresInterruptionIsAbandonedAndTheReportStillCompletes() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean wroteLate = new AtomicBoolean();
    Check stuck = check("stuck", (c, s) -> {
      s.scanned(1, 10); // before its deadline: kept
      while (true) {
        try {
          release.await();
          break;
        } catch (InterruptedException ignored) {
          // a check that swallows the interrupt, like a blocking native call would
        }
      }
      s.av(freshClamAv()); // after it was abandoned: must not reach any report
      wroteLate.set(true);
    });
    Check av = check("av", (c, s) -> s.av(freshClamAv()));
    Policy policy = PolicyDefaults.defaults().toBuilder().putCheckBudgetSeconds("stuck", 1).build();

    Report report = new Scanner(List.of(stuck, av), () -> 1, Duration.ofMillis(100))
        .scan(context(policy));

    assertThat(report.getScan().getChecksList()).satisfiesExactly(
        c -> {
          assertThat(c.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_FAILED);
          assertThat(c.getMessage())
              .isEqualTo("timed out after 1s; did not stop when interrupted and was abandoned");
        },
        c -> assertThat(c.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_OK));
    assertThat(report.getScan().getSkippedMap()).containsEntry("timeout:stuck", 1L);
    assertThat(report.getScan().getFilesScanned()).isEqualTo(1);
    assertThat(report.getAvList()).hasSize(1);
    release.countDown();
    Awaitility.await().untilTrue(wroteLate);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aCheckThatHonoursTheInterruptIsStoppedAtItsBudget() {
    AtomicBoolean sawInterrupt = new AtomicBoolean();
    Check slow = check("slow", (c, s) -> {
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        sawInterrupt.set(true);
        throw e;
      }
    });
    Policy policy = PolicyDefaults.defaults().toBuilder().putCheckBudgetSeconds("slow", 1).build();

    Report report = new Scanner(List.of(slow), () -> 1).scan(context(policy));

    assertThat(sawInterrupt).isTrue();
    assertThat(report.getScan().getChecks(0).getMessage()).isEqualTo("timed out after 1s");
    assertThat(report.getScan().getSkippedMap()).containsEntry("timeout:slow", 1L);
  }

  @Test
  void aCheckGetsItsOwnBudgetUnlessThePolicyNamesIt() {
    Check artifacts = check("artifacts", (c, s) -> {});
    Policy none = PolicyDefaults.defaults();
    Policy named = none.toBuilder().putCheckBudgetSeconds("artifacts", 7200).build();
    Policy absurd = none.toBuilder().putCheckBudgetSeconds("artifacts", Long.MAX_VALUE).build();

    assertThat(Scanner.budgetOf(artifacts, none)).isEqualTo(artifacts.budget());
    assertThat(Scanner.budgetOf(artifacts, named)).isEqualTo(Duration.ofHours(2));
    assertThat(Scanner.budgetOf(artifacts, absurd)).isEqualTo(Scanner.MAX_BUDGET);
  }

  @Test
  void theStandardChecksAreNamedAsSettingsNameThem() {
    assertThat(StandardChecks.create("host", "lab")).map(Check::name)
        .containsExactlyElementsOf(StandardChecks.NAMES);
  }

  @Test
  void theStandardChecksBudgetsFitInsideTheWorkersTimeout() {
    Duration total = StandardChecks.create("host", "lab").stream()
        .map(Check::budget).reduce(Duration.ZERO, Duration::plus);
    assertThat(total).isLessThan(
        io.labscan.agent.worker.WorkerProcessScanRunner.DEFAULT_TIMEOUT);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aCancelledScanInterruptsTheRunningCheckAndSkipsTheRest() throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    AtomicBoolean sawInterrupt = new AtomicBoolean();
    Check walk = check("walk", (c, s) -> {
      running.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        sawInterrupt.set(true);
        throw e;
      }
    });
    Check later = check("later", (c, s) -> {
      throw new AssertionError("must not run in a cancelled scan");
    });
    Report[] report = new Report[1];
    Thread scan = new Thread(() -> report[0] = new Scanner(List.of(walk, later), () -> 1)
        .scan(context()));
    scan.start();
    running.await();

    scan.interrupt();
    scan.join();

    Awaitility.await().untilTrue(sawInterrupt);
    assertThat(report[0].getScan().getChecksList()).satisfiesExactly(
        c -> assertThat(c.getMessage()).isEqualTo("interrupted"),
        c -> {
          assertThat(c.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_SKIPPED);
          assertThat(c.getMessage()).isEqualTo("scan interrupted");
        });
  }
}
