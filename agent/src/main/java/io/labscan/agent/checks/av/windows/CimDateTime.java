package io.labscan.agent.checks.av.windows;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WMI's CIM_DATETIME text, {@code yyyymmddHHMMSS.mmmmmmsUUU}, where {@code sUUU} is the
 * offset from UTC in minutes (e.g. {@code 20261127083000.000000+060}).
 */
public final class CimDateTime {
  private static final Pattern FORMAT = Pattern.compile(
      "(\\d{4})(\\d{2})(\\d{2})(\\d{2})(\\d{2})(\\d{2})\\.(\\d{6})([+-])(\\d{3})");

  private CimDateTime() {}

  public static Optional<Instant> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      LocalDateTime local = LocalDateTime.of(
          Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
          Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)),
          Integer.parseInt(m.group(7)) * 1000);
      int minutes = Integer.parseInt(m.group(9)) * (m.group(8).equals("-") ? -1 : 1);
      return Optional.of(local.toInstant(ZoneOffset.ofTotalSeconds(minutes * 60)));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }
}
