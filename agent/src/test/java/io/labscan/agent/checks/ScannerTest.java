package io.labscan.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.config.PolicyDefaults;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
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
}
