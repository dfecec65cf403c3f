package io.labscan.controller.complaint;

import org.jspecify.annotations.Nullable;

/**
 * Mail header text made safe to store and show: whoever sent the message wrote it (the worm
 * forges From:), so control characters and bidirectional overrides become {@code ?}, runs of
 * white space one space, and the text is cut at a length (with "…").
 */
public final class MailText {
  private MailText() {}

  public static String clean(@Nullable String s, int max) {
    if (s == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 1));
    boolean space = false;
    for (int i = 0; i < s.length() && sb.length() < max; ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || cp == 0x00a0) {
        if (!space && sb.length() > 0) {
          sb.append(' ');
        }
        space = true;
        continue;
      }
      space = false;
      boolean bad = Character.isISOControl(cp) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
          || cp == 0x200e || cp == 0x200f || cp == 0x061c || Character.getType(cp) == Character.UNASSIGNED
          || Character.getType(cp) == Character.SURROGATE;
      if (bad) {
        sb.append('?');
      } else {
        sb.appendCodePoint(cp);
      }
    }
    String out = sb.toString().strip();
    return out.length() >= max && s.length() > max ? out + "…" : out;
  }
}
