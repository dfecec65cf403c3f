package io.labscan.contract.doctor;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * One line of a {@code doctor} answer: what was checked and what it found, and for anything
 * wrong the command (or the step) that fixes it.
 *
 * @param level {@link Level#PROBLEM} makes {@code doctor} exit 1; a {@link Level#WARNING} is
 *     advice for a setup that works but probably not as intended
 * @param what the finding, in one sentence naming the file, port or host
 * @param fix the command that fixes it; empty for {@link Level#OK}
 */
public record Finding(Level level, String what, Optional<String> fix) {
  /** How bad a finding is. */
  public enum Level {
    OK("ok"),
    WARNING("warning"),
    PROBLEM("PROBLEM");

    final String label;

    Level(String label) {
      this.label = label;
    }
  }

  public Finding {
    requireNonNull(level, "level");
    requireNonNull(what, "what");
    requireNonNull(fix, "fix");
  }

  public static Finding ok(String what) {
    return new Finding(Level.OK, what, Optional.empty());
  }

  public static Finding warning(String what, String fix) {
    return new Finding(Level.WARNING, what, Optional.of(fix));
  }

  public static Finding problem(String what, String fix) {
    return new Finding(Level.PROBLEM, what, Optional.of(fix));
  }

  /** {@code "PROBLEM  what\n         fix: command"}: the form both CLIs print. */
  public String render() {
    StringBuilder line = new StringBuilder(String.format("%-8s %s%n", level.label, what));
    fix.ifPresent(f -> line.append(String.format("%-8s fix: %s%n", "", f)));
    return line.toString();
  }
}
