package io.labscan.controller.triage;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the date-time of mail headers (RFC 5322 §3.3) including the obsolete forms of §4.3
 * that old MTAs and worms still write, and a few common deviations.
 *
 * <p>Accepted: optional day name; day and month in either order ({@code 14 Jan}, ctime's
 * {@code Jan 14}); years with 2 digits (00–49 → 20xx, 50–99 → 19xx), 3 digits (+1900) or 4;
 * {@code hh:mm} with or without seconds (fractions ignored, leap second 60 read as 59);
 * zones as {@code ±hhmm}, {@code ±hh:mm}, {@code UT}/{@code UTC}/{@code GMT}/{@code Z}, the
 * North American names of RFC 822 ({@code EST EDT CST CDT MST MDT PST PDT}), a few common
 * non-standard names ({@code CET CEST BST JST …}) and a zone name given only as a comment
 * ({@code 09:15:02 (PDT)}); ISO-8601 ({@code 2003-01-14T09:15:02Z}). Military letters and
 * unknown names mean "no zone information" in RFC 5322 and are read as UTC; so is a missing
 * zone. Text after a complete date-time with its zone is ignored (Courier's {@code id …} after
 * the date). Never throws: anything else is empty.
 */
public final class MailDates {
  private static final int MAX_LENGTH = 200;
  /** Mail is younger than the Unix epoch: an earlier year is a typo or a forgery. */
  private static final int MIN_YEAR = 1970;
  private static final Pattern TIME = Pattern.compile("(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,]\\d{1,9})?)?");
  private static final Pattern NUMERIC_ZONE = Pattern.compile("([+-])(\\d{2}):?(\\d{2})");
  private static final Pattern DIGITS = Pattern.compile("\\d{1,4}");
  private static final Pattern ISO = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}.*");
  private static final Pattern ISO_SPACES = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}) ");
  private static final Pattern ISO_ZONE = Pattern.compile("(\\s*)(Z|[+-]\\d{2}:?\\d{2})$");
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  private static final Map<String, Integer> ZONE_HOURS =
      Map.ofEntries(
          Map.entry("UT", 0), Map.entry("UTC", 0), Map.entry("GMT", 0), Map.entry("Z", 0),
          Map.entry("EST", -5), Map.entry("EDT", -4), Map.entry("CST", -6), Map.entry("CDT", -5),
          Map.entry("MST", -7), Map.entry("MDT", -6), Map.entry("PST", -8), Map.entry("PDT", -7),
          // Not in any RFC, but written by real MTAs.
          Map.entry("WET", 0), Map.entry("WEST", 1), Map.entry("BST", 1), Map.entry("CET", 1),
          Map.entry("MET", 1), Map.entry("CEST", 2), Map.entry("MEST", 2), Map.entry("EET", 2),
          Map.entry("EEST", 3), Map.entry("MSK", 3), Map.entry("JST", 9), Map.entry("KST", 9),
          Map.entry("HKT", 8), Map.entry("AEST", 10), Map.entry("AEDT", 11),
          Map.entry("NZST", 12), Map.entry("NZDT", 13), Map.entry("HST", -10),
          Map.entry("AKST", -9), Map.entry("AKDT", -8));

  private MailDates() {}

  /** The instant the text names, or empty when it is not a date this class can read. */
  public static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String s = text.strip();
    if (s.isEmpty() || s.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    try {
      if (ISO.matcher(s).matches()) {
        return iso(s);
      }
      return rfc5322(s);
    } catch (DateTimeException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> iso(String s) {
    String t = ISO_SPACES.matcher(s).replaceFirst("$1T");
    Matcher zone = ISO_ZONE.matcher(t);
    if (zone.find()) {
      String z = zone.group(2);
      t = t.substring(0, zone.start()) + (z.equals("Z") ? "Z" : z.substring(0, 3) + ":" + z.substring(z.length() - 2));
    }
    try {
      OffsetDateTime at = OffsetDateTime.parse(t);
      return fromYear(at.getYear(), at.toInstant());
    } catch (DateTimeParseException e) {
      try {
        LocalDateTime at = LocalDateTime.parse(t);
        return fromYear(at.getYear(), at.toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException again) {
        return Optional.empty();
      }
    }
  }

  private static Optional<Instant> rfc5322(String s) {
    List<String> comments = new ArrayList<>();
    String bare = stripComments(s, comments);
    Integer day = null;
    Integer month = null;
    String yearText = null;
    LocalTime time = null;
    Integer offsetSeconds = null;
    int unknownWords = 0;
    for (String token : bare.replace(',', ' ').trim().split("\\s+")) {
      if (token.isEmpty()) {
        continue;
      }
      if (day != null && month != null && yearText != null && time != null && offsetSeconds != null) {
        // A complete date-time with its zone: what follows is the MTA's, not the date's
        // (Courier writes "; Tue, 14 Jan 2003 09:12:03 -0500 id 0000000A.3E24…").
        break;
      }
      String lower = token.toLowerCase(Locale.ROOT);
      Matcher t = TIME.matcher(token);
      Matcher z = NUMERIC_ZONE.matcher(token);
      if (time == null && t.matches()) {
        int h = Integer.parseInt(t.group(1));
        int m = Integer.parseInt(t.group(2));
        int sec = t.group(3) == null ? 0 : Integer.parseInt(t.group(3));
        if (h > 23 || m > 59 || sec > 60) {
          return Optional.empty();
        }
        time = LocalTime.of(h, m, Math.min(sec, 59));
      } else if (time != null && offsetSeconds == null && z.matches()) {
        int hours = Integer.parseInt(z.group(2));
        int minutes = Integer.parseInt(z.group(3));
        if (hours > 18 || minutes > 59) {
          return Optional.empty();
        }
        int total = hours * 3600 + minutes * 60;
        offsetSeconds = "-".equals(z.group(1)) ? -total : total;
      } else if (DIGITS.matcher(token).matches()) {
        if (token.length() <= 2 && day == null) {
          day = Integer.parseInt(token);
        } else if (yearText == null) {
          yearText = token;
        } else {
          return Optional.empty();
        }
      } else if (month == null && monthIndex(lower) >= 0) {
        month = monthIndex(lower) + 1;
      } else if (day == null && month == null && time == null && isDayName(lower)) {
        continue;
      } else if (time != null && offsetSeconds == null && isZoneName(token)) {
        offsetSeconds = zoneName(token) * 3600;
      } else if (++unknownWords > 1) {
        return Optional.empty();
      }
    }
    if (offsetSeconds == null) {
      // "09:15:02 (PDT)": some MTAs give the zone only as a comment.
      for (String c : comments) {
        if (isZoneName(c.trim())) {
          offsetSeconds = zoneName(c.trim()) * 3600;
          break;
        }
      }
    }
    if (day == null || month == null || yearText == null || time == null) {
      return Optional.empty();
    }
    int year = Integer.parseInt(yearText);
    if (yearText.length() == 2) {
      year += year < 50 ? 2000 : 1900;
    } else if (yearText.length() == 3) {
      year += 1900;
    }
    if (year < MIN_YEAR) {
      return Optional.empty();
    }
    LocalDate date = LocalDate.of(year, month, day);
    ZoneOffset offset = ZoneOffset.ofTotalSeconds(offsetSeconds == null ? 0 : offsetSeconds);
    return Optional.of(date.atTime(time).toInstant(offset));
  }

  /** The instant, unless its (local) year is before {@link #MIN_YEAR}, as RFC 5322 dates. */
  private static Optional<Instant> fromYear(int year, Instant at) {
    return year < MIN_YEAR ? Optional.empty() : Optional.of(at);
  }

  private static String stripComments(String s, List<String> comments) {
    StringBuilder out = new StringBuilder(s.length());
    StringBuilder comment = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
        out.append(' ');
      } else if (c == ')' && depth > 0) {
        depth--;
        if (depth == 0) {
          comments.add(comment.toString());
          comment.setLength(0);
        }
      } else if (depth > 0) {
        comment.append(c);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static int monthIndex(String lower) {
    String word = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    if (word.length() < 3 || !word.chars().allMatch(Character::isLetter)) {
      return -1;
    }
    int i = MONTHS.indexOf(word.substring(0, 3));
    if (i < 0) {
      return -1;
    }
    // "Jan" or "January", not "Janitor".
    String full = java.time.Month.of(i + 1).name().toLowerCase(Locale.ROOT);
    return word.length() == 3 || full.equals(word) || (word.equals("sept") && i == 8) ? i : -1;
  }

  private static boolean isDayName(String lower) {
    String word = lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    if (word.length() < 3 || !word.chars().allMatch(Character::isLetter)) {
      return false;
    }
    int i = DAYS.indexOf(word.substring(0, 3));
    if (i < 0) {
      return false;
    }
    String full = java.time.DayOfWeek.of(i + 1).name().toLowerCase(Locale.ROOT);
    return word.length() == 3 || full.equals(word);
  }

  private static boolean isZoneName(String token) {
    String upper = token.toUpperCase(Locale.ROOT);
    return ZONE_HOURS.containsKey(upper) || isMilitary(upper);
  }

  private static int zoneName(String token) {
    // RFC 5322 §4.3: military zones were defined with the wrong sign; read them as "-0000",
    // no information, which is UTC.
    return ZONE_HOURS.getOrDefault(token.toUpperCase(Locale.ROOT), 0);
  }

  private static boolean isMilitary(String upper) {
    return upper.length() == 1 && upper.charAt(0) >= 'A' && upper.charAt(0) <= 'Z' && upper.charAt(0) != 'J';
  }
}
