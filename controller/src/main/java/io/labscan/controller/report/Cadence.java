package io.labscan.controller.report;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;

/**
 * How often a subscribed report is sent, and the periods it covers: ISO weeks (Monday to the
 * next Monday) or calendar months, in UTC. A period is sent once it is over.
 */
public enum Cadence {
  WEEKLY,
  MONTHLY;

  /** The last period that ended on or before {@code today} (whose end is at most today's start). */
  public DateRange lastCompleted(LocalDate today) {
    LocalDate end = switch (this) {
      case WEEKLY -> today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      case MONTHLY -> today.withDayOfMonth(1);
    };
    return new DateRange(before(end), end);
  }

  /** The period just before {@code period}. */
  public DateRange previous(DateRange period) {
    return new DateRange(before(period.from()), period.from());
  }

  private LocalDate before(LocalDate start) {
    return switch (this) {
      case WEEKLY -> start.minusWeeks(1);
      case MONTHLY -> start.minusMonths(1);
    };
  }

  /** {@code weekly} or {@code monthly}, as stored and shown. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Cadence> parse(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "weekly" -> Optional.of(WEEKLY);
      case "monthly" -> Optional.of(MONTHLY);
      default -> Optional.empty();
    };
  }
}
