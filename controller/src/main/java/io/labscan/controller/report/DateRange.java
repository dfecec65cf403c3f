package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The days a report covers, {@code [from, to)} in UTC: {@code from} is the first day in it,
 * {@code to} the first day after it (a week is Monday to the next Monday), so consecutive
 * reports neither overlap nor leave a gap.
 *
 * <p>Bounded: at most {@link #MAX_DAYS} days, none after tomorrow, none before 2000, so one
 * request (or one subscription) cannot make the controller walk an unbounded history.
 */
public record DateRange(LocalDate from, LocalDate to) {
  /** The longest range a report may cover (a year and a month). */
  public static final int MAX_DAYS = 400;
  private static final LocalDate EARLIEST = LocalDate.of(2000, 1, 1);
  private static final Pattern ISO_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  public DateRange {
    requireNonNull(from, "from");
    requireNonNull(to, "to");
    if (!to.isAfter(from)) {
      throw new IllegalArgumentException("to: " + to + " must be after from (" + from
          + "); the range is [from, to), so one day is from=D&to=D+1");
    }
    long days = ChronoUnit.DAYS.between(from, to);
    if (days > MAX_DAYS) {
      throw new IllegalArgumentException("to: the range " + from + " to " + to + " covers " + days
          + " days; a report covers at most " + MAX_DAYS);
    }
    if (from.isBefore(EARLIEST)) {
      throw new IllegalArgumentException("from: " + from + " is before " + EARLIEST);
    }
  }

  /**
   * Parses the {@code from} and {@code to} request parameters (YYYY-MM-DD). Missing: the
   * {@value #DEFAULT_DAYS} days up to and including {@code today}. Errors name the parameter.
   */
  public static DateRange parse(@Nullable String from, @Nullable String to, LocalDate today) {
    requireNonNull(today, "today");
    LocalDate end = to == null || to.isBlank() ? today.plusDays(1) : date("to", to);
    LocalDate start = from == null || from.isBlank() ? end.minusDays(DEFAULT_DAYS) : date("from", from);
    if (end.isAfter(today.plusDays(1))) {
      throw new IllegalArgumentException("to: " + end + " is in the future; the latest is " + today.plusDays(1)
          + " (a range ending with today)");
    }
    return new DateRange(start, end);
  }

  /** Days covered when {@code from} is not given. */
  public static final int DEFAULT_DAYS = 30;

  private static LocalDate date(String name, String text) {
    String t = text.strip();
    if (t.length() > 10 || !ISO_DATE.matcher(t).matches()) {
      throw new IllegalArgumentException(name + ": must be a date YYYY-MM-DD, not '" + shown(t) + "'");
    }
    try {
      return LocalDate.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(name + ": " + t + " is not a calendar date", e);
    }
  }

  private static String shown(String t) {
    String cut = t.length() > 40 ? t.substring(0, 40) + "…" : t;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** Number of days in the range. */
  public int days() {
    return (int) ChronoUnit.DAYS.between(from, to);
  }

  /** Start of {@code from} in epoch milliseconds (UTC). */
  public long fromMillis() {
    return from.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  /** Start of {@code to} in epoch milliseconds (UTC). */
  public long toMillis() {
    return to.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  @Override
  public String toString() {
    return "[" + from + ", " + to + ")";
  }
}
