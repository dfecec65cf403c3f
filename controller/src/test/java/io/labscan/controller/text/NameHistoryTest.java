package io.labscan.controller.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The name a host reported at a time, from its bounded name history (issue 15, D, red-team R9). */
class NameHistoryTest {
  private static final Instant MORNING = Instant.parse("2026-12-07T08:00:00Z");
  private static final Instant MAILED = Instant.parse("2026-12-07T14:00:00Z");
  private static final Instant RENAMED = Instant.parse("2026-12-07T14:05:00Z");

  private static NameHistory.Span span(long seq, String name, Instant from, Instant until) {
    return new NameHistory.Span(seq, name, from, Optional.ofNullable(until));
  }

  private static final NameHistory WORM = new NameHistory(List.of(
      span(1, "lab-pc-07", MORNING, RENAMED), span(2, "lab-pc-12", RENAMED, null)));

  @Test
  void theNameAtTheMailsTimeIsTheOneReportedThenAndTheRenameIsDated() {
    assertThat(WORM.nameAt(MAILED)).contains("lab-pc-07");
    assertThat(WORM.renamedSince(MAILED)).contains(RENAMED);
    assertThat(WORM.enrolledAs()).contains("lab-pc-07");
  }

  @Test
  void aTimeAfterTheRenameHasTheNewNameAndNoRename() {
    assertThat(WORM.nameAt(RENAMED.plusSeconds(1))).contains("lab-pc-12");
    assertThat(WORM.renamedSince(RENAMED.plusSeconds(1))).isEmpty();
  }

  @Test
  void aTimeBeforeTheFirstReportHasTheFirstName() {
    assertThat(WORM.nameAt(MORNING.minusSeconds(3600))).contains("lab-pc-07");
  }

  @Test
  void aTimeInAStretchDroppedFromTheBoundedHistoryHasNoKnownName() {
    NameHistory trimmed = new NameHistory(List.of(span(1, "lab-pc-07", MORNING, MAILED.minusSeconds(600)),
        span(40, "name-40", RENAMED, null)));

    assertThat(trimmed.nameAt(MAILED)).isEmpty();
    assertThat(trimmed.renamedSince(MAILED)).isEmpty();
  }

  @Test
  void aChangeOfCaseOrAnInvisibleCharacterIsNoRename() {
    NameHistory h = new NameHistory(List.of(span(1, "lab-pc-07", MORNING, RENAMED),
        span(2, "LAB-PC-07\u200B", RENAMED, null)));

    assertThat(h.renamedSince(MAILED)).isEmpty();
  }
}
