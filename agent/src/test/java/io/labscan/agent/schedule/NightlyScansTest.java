package io.labscan.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.ScanPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The nightly runner with the on-disk state: what a restart and a busy agent do to it. */
class NightlyScansTest {
  private static final ZoneId LAB = ZoneId.of("Europe/Berlin");
  private static final Duration JITTER = Duration.ofMinutes(17);

  @TempDir Path stateDir;
  private final TestClock clock = new TestClock(local("2026-03-01T10:00"), LAB);
  private final List<ScanPlan> started = new ArrayList<>();
  private final AtomicBoolean scanning = new AtomicBoolean();

  private static Instant local(String dateTime) {
    return LocalDateTime.parse(dateTime).atZone(LAB).toInstant();
  }

  private NightlyScans nightly() {
    return new NightlyScans(new NightlyScanPlanner("0 0 2 * * ?", LAB, JITTER, clock),
        new ScheduleStateStore(stateDir, clock), plan -> {
          if (scanning.get()) {
            return Optional.empty();
          }
          started.add(plan);
          return Optional.of(CompletableFuture.completedFuture("report"));
        }, scanning::get);
  }

  @Test
  void dueScanStartsOnceAndIsNotRepeatedByTheNextCheck() {
    NightlyScans nightly = nightly(); // first start on 1 March
    nightly.check();
    clock.set(local("2026-03-02T02:17:20"));

    assertThat(nightly.check()).isTrue();
    assertThat(nightly.check()).isFalse();
    assertThat(started).extracting(ScanPlan::trigger).containsExactly("schedule");
    assertThat(started.get(0).isFull()).isTrue();
  }

  @Test
  void scanDueWhileAnotherRunsStartsAtTheNextCheckAfterIt() {
    NightlyScans nightly = nightly();
    nightly.check();
    clock.set(local("2026-03-02T02:17:20"));
    scanning.set(true); // the controller's scan is still running

    assertThat(nightly.check()).isFalse();
    scanning.set(false);
    clock.advance(Duration.ofMinutes(1));

    assertThat(nightly.check()).isTrue();
    assertThat(started).extracting(ScanPlan::trigger).containsExactly("schedule");
  }

  @Test
  void nightMissedWhileOffRunsAtTheNextStartAsCatchUp() {
    nightly().check(); // the agent ran on 1 March, then the machine was switched off at night
    clock.set(local("2026-03-02T07:45"));

    NightlyScans afterBoot = nightly(); // a new agent process: Quartz remembers nothing

    assertThat(afterBoot.check()).isTrue();
    assertThat(started).extracting(ScanPlan::trigger).containsExactly("catch-up");
  }

  @Test
  void nightMissedByMoreThanTwelveHoursWaitsForTheNextNight() {
    nightly().check();
    clock.set(local("2026-03-02T15:00"));

    NightlyScans afterBoot = nightly();

    assertThat(afterBoot.check()).isFalse();
    clock.set(local("2026-03-03T02:17:10"));
    assertThat(afterBoot.check()).isTrue();
    assertThat(started).extracting(ScanPlan::trigger).containsExactly("schedule");
  }

  @Test
  void stateFileIsWhereTheBriefSaysAndNotInTheSpool() {
    nightly().check();

    assertThat(Files.exists(stateDir.resolve("schedule-state.json"))).isTrue();
    assertThat(Files.exists(stateDir.resolve("spool.db"))).isFalse();
  }
}
