package io.labscan.agent;

import static java.util.Objects.requireNonNull;

/**
 * A short, printable excerpt of text the agent did not write (a config value, a state file, a
 * worker's report) for an error message: anything outside printable ASCII becomes '?', so a
 * hostile value cannot inject terminal escapes or fake log lines, and at most 40 characters
 * are kept.
 */
public final class Excerpt {
  static final int MAX_CHARS = 40;

  private Excerpt() {}

  public static String of(String text) {
    String printable = requireNonNull(text, "text").replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > MAX_CHARS ? printable.substring(0, MAX_CHARS) + "..." : printable;
  }
}
