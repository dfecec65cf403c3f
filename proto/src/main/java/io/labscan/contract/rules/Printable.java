package io.labscan.contract.rules;

/**
 * Makes untrusted text (file names from the scanned disk, registry data) safe to show: a file
 * name may carry escape sequences that would repaint or hijack a terminal, or bidi overrides
 * that make {@code exe.txt} read as {@code txt.exe}.
 */
public final class Printable {
  private Printable() {}

  /** Replaces control, format (bidi), separator and unpaired surrogate characters with '?'. */
  static String of(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      out.appendCodePoint(safe(cp) ? cp : '?');
    }
    return out.toString();
  }

  /** Like {@link #of} and at most {@code max} characters, keeping the end (the file name). */
  public static String tail(String text, int max) {
    String clean = of(text);
    if (clean.length() <= max) {
      return clean;
    }
    int from = clean.length() - Math.max(0, max - 3);
    if (Character.isLowSurrogate(clean.charAt(from))) {
      from++; // never start with half a character
    }
    return "..." + clean.substring(from);
  }

  private static boolean safe(int cp) {
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED -> false;
      default -> true;
    };
  }
}
