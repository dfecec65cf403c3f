package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;

/**
 * A rule set or signature database that cannot be used as written. The message names the
 * source (file name) and, where it has one, the line or the field that is wrong, so whoever
 * wrote the file can fix it without reading our code.
 */
public final class RuleParseException extends Exception {
  /** Problems quote the offending text, which can be megabytes long; they are cut to this. */
  static final int MAX_PROBLEM_CHARS = 400;

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

  /**
   * What a parser's {@link IllegalArgumentException} says is wrong, made safe to show. Our parsers
   * always give a message; should one not, the exception's type still says something.
   */
  static String reason(RuntimeException e) {
    String message = e.getMessage();
    return Printable.of(message != null ? message : e.getClass().getSimpleName());
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
    String cut = shorten(problem);
    return line > 0 ? source + " line " + line + ": " + cut : source + ": " + cut;
  }

  private static String shorten(String problem) {
    if (problem.length() <= MAX_PROBLEM_CHARS) {
      return problem;
    }
    int end = MAX_PROBLEM_CHARS - 3;
    if (Character.isHighSurrogate(problem.charAt(end - 1))) {
      end--; // never end with half a character
    }
    return problem.substring(0, end) + "...";
  }
}
