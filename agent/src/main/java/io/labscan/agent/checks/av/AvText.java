package io.labscan.agent.checks.av;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Plain-words formatting for reasons, and taming of untrusted text before it is reported. */
public final class AvText {
  private static final DateTimeFormatter INSTANT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private AvText() {}

  /**
   * Untrusted text (file content, registry strings, WMI values) made safe to report: control
   * characters become '?', and it is cut to {@code max} characters.
   */
  public static String clean(String text, int max) {
    requireNonNull(text, "text");
    StringBuilder b = new StringBuilder(Math.min(text.length(), max + 1));
    for (int i = 0; i < text.length() && b.length() < max; i++) {
      char c = text.charAt(i);
      b.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
    }
    if (text.length() > max) {
      b.append('…');
    }
    return b.toString();
  }

  /** Untrusted text quoted for a reason, e.g. {@code 'abc'}. */
  public static String quote(String text) {
    return "'" + clean(text, 40) + "'";
  }

  /** E.g. {@code 2026-11-20 08:02 UTC}. */
  public static String instant(Instant instant) {
    return INSTANT.format(requireNonNull(instant, "instant"));
  }

  /**
   * An age in the largest useful unit: "7 days", "3 days 5 hours", "5 hours", "12 minutes",
   * "less than a minute". Hours are kept next to small day counts because the default limit
   * is 3 days, and "3 days" would not show why a status is stale.
   */
  public static String age(Duration age) {
    requireNonNull(age, "age");
    long days = age.toDays();
    long hours = age.toHoursPart();
    if (days >= 10 || (days >= 1 && hours == 0)) {
      return plural(days, "day");
    }
    if (days >= 1) {
      return plural(days, "day") + " " + plural(hours, "hour");
    }
    if (age.toHours() >= 1) {
      return plural(age.toHours(), "hour");
    }
    if (age.toMinutes() >= 1) {
      return plural(age.toMinutes(), "minute");
    }
    return "less than a minute";
  }

  /** A policy limit in the largest unit that divides it exactly: "3 days", "36 hours". */
  public static String limit(Duration limit) {
    requireNonNull(limit, "limit");
    long seconds = limit.toSeconds();
    if (seconds % 86_400 == 0) {
      return plural(seconds / 86_400, "day");
    }
    if (seconds % 3_600 == 0) {
      return plural(seconds / 3_600, "hour");
    }
    if (seconds % 60 == 0) {
      return plural(seconds / 60, "minute");
    }
    return plural(seconds, "second");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
