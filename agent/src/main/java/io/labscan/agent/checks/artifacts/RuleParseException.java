package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;

/**
 * A rule set or signature database that cannot be used as written. The message names the
 * source (file name) and, where it has one, the line or the field that is wrong, so whoever
 * wrote the file can fix it without reading our code.
 */
public final class RuleParseException extends Exception {
  private final String source;
  private final int line;

  RuleParseException(String source, int line, String problem) {
    super(describe(source, line, problem));
    this.source = requireNonNull(source, "source");
    this.line = line;
  }

  RuleParseException(String source, String problem) {
    this(source, 0, problem);
  }

  /** The file (or resource) the problem is in. */
  public String source() {
    return source;
  }

  /** The 1-based line of the problem, when the format has lines and the line is known. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }

  private static String describe(String source, int line, String problem) {
    return line > 0 ? source + " line " + line + ": " + problem : source + ": " + problem;
  }
}
