package io.labscan.controller.text;

import java.util.Locale;

/**
 * The one sanitiser for endpoint-reported text in log messages (hostnames, report ids, reasons,
 * campaign names, exception messages quoting a request).
 *
 * <p>A log line is a record operators and log collectors trust: a hostname holding CR/LF could
 * forge a second line ("Enrolled host ... " that never happened), an escape sequence acts on
 * the terminal that tails the log, and a bidi override changes what a line appears to say. So
 * C0/C1 controls (CR, LF, TAB, ESC, DEL, ...) become {@code \xHH}, Unicode format characters,
 * line/paragraph separators and unpaired surrogates become {@code \}{@code uHHHH}, and the text
 * is cut to a bound (a 4 KiB hostname must not turn every log line into a page). Printable
 * Unicode stays readable. The terminal has its own, equal rule in the CLI ({@code cli.Text}).
 */
public final class LogText {
  /** Longest excerpt of one value in a log line, unless a caller asks for another bound. */
  public static final int DEFAULT_MAX = 200;

  private LogText() {}

  /** {@code s} made safe for one log line, at most {@link #DEFAULT_MAX} characters (plus "..."). */
  public static String of(String s) {
    return of(s, DEFAULT_MAX);
  }

  /** {@code s} made safe for one log line, cut after {@code max} characters ("..." marks the cut). */
  public static String of(String s, int max) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 8);
    int i = 0;
    while (i < s.length() && sb.length() < max) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isISOControl(cp)) {
        sb.append("\\x").append(String.format(Locale.ROOT, "%02X", cp));
      } else {
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
            || type == Character.SURROGATE) {
          sb.append("\\u").append(String.format(Locale.ROOT, "%04X", cp));
        } else {
          sb.appendCodePoint(cp);
        }
      }
    }
    return i < s.length() ? sb + "..." : sb.toString();
  }
}
