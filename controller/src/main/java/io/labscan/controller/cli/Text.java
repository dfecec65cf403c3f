package io.labscan.controller.cli;

/** Making endpoint-reported text safe for terminals and spreadsheets. */
public final class Text {
  private Text() {}

  /**
   * Replaces control characters (escape sequences could rewrite the operator's terminal)
   * and bidirectional overrides with '?', and shortens to {@code max} characters.
   */
  public static String terminalSafe(String s, int max) {
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 3));
    s.codePoints().forEach(cp -> {
      boolean control = Character.isISOControl(cp)
          || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)
          || cp == 0x200E || cp == 0x200F || cp == 0x061C;
      sb.appendCodePoint(control ? '?' : cp);
    });
    return sb.length() > max ? sb.substring(0, Math.max(0, max - 3)) + "..." : sb.toString();
  }

  /**
   * One RFC 4180 cell. Cells starting with = + - @ (or tab/CR) get a leading apostrophe so
   * a spreadsheet does not evaluate a formula a worm planted in a hostname.
   */
  public static String csvCell(String s) {
    String v = s;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }
}
