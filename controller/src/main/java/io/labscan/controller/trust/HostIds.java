package io.labscan.controller.trust;

import io.labscan.controller.text.LogText;
import java.util.UUID;

/** Host ids are lower-case UUIDs the agent generated; certificates carry them as CN. */
public final class HostIds {
  private HostIds() {}

  public static boolean valid(String s) {
    try {
      return s != null && s.length() == 36 && UUID.fromString(s).toString().equals(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Endpoint text made safe for a log line. */
  public static String printable(String s) {
    return LogText.of(s, 64);
  }
}
