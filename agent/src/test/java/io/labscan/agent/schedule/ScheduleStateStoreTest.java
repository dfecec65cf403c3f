package io.labscan.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleStateStoreTest {
  private static final Instant NOW = Instant.parse("2026-03-03T07:00:00Z");

  @TempDir Path stateDir;
  private final TestClock clock = new TestClock(NOW, ZoneOffset.UTC);

  @Test
  void firstStartIsRecordedOnDisk() {
    ScheduleState state = new ScheduleStateStore(stateDir, clock).load();

    assertThat(state).isEqualTo(ScheduleState.firstStartAt(NOW));
    assertThat(stateDir.resolve(ScheduleStateStore.FILE_NAME)).exists();
  }

  @Test
  void recordedScansSurviveARestart() {
    ScheduleStateStore before = new ScheduleStateStore(stateDir, clock);
    before.recordStarted(Instant.parse("2026-03-03T01:17:00Z"));
    before.recordCompletedFullScan(Instant.parse("2026-03-03T01:45:00Z"));

    clock.advance(java.time.Duration.ofDays(1));
    ScheduleState after = new ScheduleStateStore(stateDir, clock).load();

    assertThat(after.firstStart()).isEqualTo(NOW);
    assertThat(after.lastStartedOccurrence()).contains(Instant.parse("2026-03-03T01:17:00Z"));
    assertThat(after.lastCompletedFullScan()).contains(Instant.parse("2026-03-03T01:45:00Z"));
  }

  @Test
  void unreadableFileStartsAFreshStateInsteadOfFailing() throws IOException {
    Files.writeString(stateDir.resolve(ScheduleStateStore.FILE_NAME), "{\"firstStart\": \"yesterday\"");

    ScheduleState state = new ScheduleStateStore(stateDir, clock).load();

    assertThat(state).isEqualTo(ScheduleState.firstStartAt(NOW));
    assertThat(Files.readString(stateDir.resolve(ScheduleStateStore.FILE_NAME))).contains(NOW.toString());
  }

  @Test
  void writesLeaveNoTemporaryFilesBehind() throws IOException {
    ScheduleStateStore store = new ScheduleStateStore(stateDir, clock);
    store.recordStarted(NOW);
    store.recordCompletedFullScan(NOW);

    try (Stream<Path> files = Files.list(stateDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(ScheduleStateStore.FILE_NAME);
    }
  }
}
