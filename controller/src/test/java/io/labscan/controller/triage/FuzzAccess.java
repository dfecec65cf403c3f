package io.labscan.controller.triage;

/**
 * The package-private entry points the fuzz tests in {@code io.labscan.controller.fuzz}
 * drive. Test code only: production callers use the public, guarded API.
 */
public final class FuzzAccess {
  private FuzzAccess() {}

  /**
   * {@link ReceivedParser#parseOrThrow}: the parser without the safety net of {@link
   * ReceivedParser#parse}, so a bug shows up as an exception instead of an UNPARSED hop.
   */
  public static ReceivedHop parseReceivedUnguarded(String headerValue) {
    return ReceivedParser.parseOrThrow(headerValue);
  }

  /** True when {@code text} is an IP address written in its canonical form. */
  public static boolean isCanonicalIp(String text) {
    return Ips.canonical(text).filter(text::equals).isPresent();
  }

  /** How many header fields a block keeps; the rest are dropped with a warning. */
  public static int maxHeaderFields() {
    return HeaderBlock.MAX_FIELDS;
  }
}
