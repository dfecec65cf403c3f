package io.labscan.agent.checks.av.windows;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;

/**
 * Symantec Endpoint Protection's {@code UsingPattern} DWORD: the definitions in use, packed as
 * year = (v >> 18) + 1998, month = (v >> 14) & 0xF, day = (v >> 9) & 0x1F,
 * revision = v & 0x1FF.
 *
 * @param date the definitions' date (a calendar date, no time of day)
 * @param revision the revision of that day
 */
public record UsingPattern(LocalDate date, int revision) {

  /** The definitions in {@code value}, or empty when it holds no valid date. */
  public static Optional<UsingPattern> decode(long value) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      return Optional.empty();
    }
    int year = (int) (value >> 18) + 1998;
    int month = (int) (value >> 14) & 0xF;
    int day = (int) (value >> 9) & 0x1F;
    int revision = (int) (value & 0x1FF);
    try {
      return Optional.of(new UsingPattern(LocalDate.of(year, month, day), revision));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** Symantec's own notation, e.g. {@code 20261120.002}. */
  public String version() {
    return String.format(Locale.ROOT, "%04d%02d%02d.%03d",
        date.getYear(), date.getMonthValue(), date.getDayOfMonth(), revision);
  }
}
