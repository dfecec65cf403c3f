package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class DateRangeTest {
  static final LocalDate TODAY = LocalDate.parse("2026-12-07");

  @Test
  void withoutDatesTheLastThirtyDaysUpToTodayAreCovered() {
    DateRange r = DateRange.parse(null, "", TODAY);
    assertThat(r.from()).isEqualTo(LocalDate.parse("2026-11-08"));
    assertThat(r.to()).isEqualTo(LocalDate.parse("2026-12-08"));
    assertThat(r.days()).isEqualTo(30);
  }

  @Test
  void aBadDateIsRefusedNamingTheParameter() {
    assertThatThrownBy(() -> DateRange.parse("2026-13-01", null, TODAY))
        .hasMessage("from: 2026-13-01 is not a calendar date");
    assertThatThrownBy(() -> DateRange.parse("2026-11-01", "=cmd|'/c calc'!A1", TODAY))
        .hasMessage("to: must be a date YYYY-MM-DD, not '=cmd|'/c calc'!A1'");
    assertThatThrownBy(() -> DateRange.parse("2026-11-10", "2026-11-10", TODAY))
        .hasMessageStartingWith("to: 2026-11-10 must be after from (2026-11-10)");
  }

  @Test
  void aRangeLongerThanFourHundredDaysOrEndingInTheFutureIsRefused() {
    assertThatThrownBy(() -> DateRange.parse("2024-01-01", "2026-01-01", TODAY))
        .hasMessage("to: the range 2024-01-01 to 2026-01-01 covers 731 days; a report covers at most 400");
    assertThatThrownBy(() -> DateRange.parse("2026-12-01", "2026-12-31", TODAY))
        .hasMessageStartingWith("to: 2026-12-31 is in the future");
    assertThat(DateRange.parse("2025-11-02", "2026-12-07", TODAY).days()).isEqualTo(400);
  }
}
