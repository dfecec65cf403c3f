package io.labscan.agent.checks.av.windows;

import java.util.Locale;

/**
 * Decoding of Security Center's undocumented {@code productState}, as widely used:
 * bits {@code 0xF000} say whether protection is on, bits {@code 0x00F0} whether the
 * definitions are up to date. E.g. 397568 (0x61100) is on and up to date, 266256 (0x41010)
 * on and out of date.
 *
 * @param raw the value as reported, unsigned
 */
public record SecurityCenterState(long raw, Protection protection, Definitions definitions) {

  public enum Protection {
    ON, OFF, SNOOZED, EXPIRED, UNRECOGNISED;

    /** Lower-case word for reasons. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public enum Definitions { UP_TO_DATE, OUT_OF_DATE, UNRECOGNISED }

  public static SecurityCenterState decode(long productState) {
    long raw = productState & 0xFFFF_FFFFL;
    Protection protection = switch ((int) (raw & 0xF000)) {
      case 0x0000 -> Protection.OFF;
      case 0x1000 -> Protection.ON;
      case 0x2000 -> Protection.SNOOZED;
      case 0x3000 -> Protection.EXPIRED;
      default -> Protection.UNRECOGNISED;
    };
    Definitions definitions = switch ((int) (raw & 0x00F0)) {
      case 0x00 -> Definitions.UP_TO_DATE;
      case 0x10 -> Definitions.OUT_OF_DATE;
      default -> Definitions.UNRECOGNISED;
    };
    return new SecurityCenterState(raw, protection, definitions);
  }

  /** E.g. {@code productState 397568 (0x61100)}. */
  public String describe() {
    return String.format(Locale.ROOT, "productState %d (0x%X)", raw, raw);
  }
}
