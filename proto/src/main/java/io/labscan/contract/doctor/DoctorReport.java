package io.labscan.contract.doctor;

import java.io.PrintStream;
import java.util.List;

/**
 * What {@code doctor} prints and its exit code: every finding in the order checked, then a
 * one-line verdict. Exit 0 when nothing is a {@link Finding.Level#PROBLEM} (warnings are advice),
 * 1 otherwise — usable as a post-installation check in scripts.
 */
public final class DoctorReport {
  public static final int EXIT_HEALTHY = 0;
  public static final int EXIT_PROBLEMS = 1;

  private DoctorReport() {}

  /** Prints the findings and returns the exit code. */
  public static int print(List<Finding> findings, PrintStream out) {
    findings.forEach(f -> out.print(f.render()));
    long problems = findings.stream().filter(f -> f.level() == Finding.Level.PROBLEM).count();
    long warnings = findings.stream().filter(f -> f.level() == Finding.Level.WARNING).count();
    out.println(problems == 0
        ? "No problems found" + (warnings == 0 ? "." : " (" + warnings + (warnings == 1 ? " warning)." : " warnings)."))
        : problems + (problems == 1 ? " problem" : " problems") + " found"
            + (warnings == 0 ? "." : ", " + warnings + (warnings == 1 ? " warning." : " warnings.")));
    out.flush();
    return problems == 0 ? EXIT_HEALTHY : EXIT_PROBLEMS;
  }
}
