package io.labscan.testsupport;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Lists, at the end of each test run (a module's Surefire or Failsafe run), every test or test
 * class that was skipped, grouped by the reason — for a {@link Requirements} skip, what is
 * missing and how to get it:
 *
 * <pre>
 * Skipped because something is missing (2 tests; sudo .ci/run runs them all):
 *   needs nft (Debian package nftables): sudo .ci/run installs it
 *     io.labscan.controller.e2e.KlezStoryIT
 * </pre>
 *
 * <p>Registered through {@code META-INF/services} in labscan-proto's test-jar, so every module
 * whose tests depend on it gets it. It prints to the JVM's own standard error, not
 * {@code System.err}: Surefire redirects that into report files, and the summary is for the
 * person watching the build. The same lines go to {@code target/labscan-skipped/<pid>.txt} (one
 * file per test JVM, tab-separated: test, reason) for a step that aggregates a whole build.
 */
public final class SkipSummary implements TestExecutionListener {
  /** Tests named per reason in the printed summary; the file under target/ lists them all. */
  static final int SHOWN_PER_REASON = 5;

  private final Map<String, List<String>> testsByReason = new TreeMap<>();
  private final boolean report;
  private int skipped;

  /** The listener JUnit registers: prints and writes the summary at the end of the run. */
  public SkipSummary() {
    this(true);
  }

  /** {@code report == false}: only collects, for {@link #summary()} (tests of the listener itself). */
  SkipSummary(boolean report) {
    this.report = report;
  }

  @Override
  public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() != TestExecutionResult.Status.ABORTED) {
      return;
    }
    String reason = result.getThrowable().map(Throwable::getMessage).map(SkipSummary::firstLine)
        .filter(m -> !m.isBlank()).orElse("(no reason given)");
    testsByReason.computeIfAbsent(reason, r -> new ArrayList<>()).add(name(test));
    skipped++;
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    String summary = summary();
    if (summary.isEmpty() || !report) {
      return;
    }
    @SuppressWarnings("resource") // the JVM's own stderr: never closed
    PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    stderr.print(summary);
    stderr.flush();
    try {
      Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "target", "labscan-skipped");
      Files.createDirectories(dir);
      StringBuilder tsv = new StringBuilder();
      synchronized (this) {
        testsByReason.forEach((reason, tests) -> tests.forEach(t -> tsv.append(t).append('\t').append(reason).append('\n')));
      }
      Files.writeString(dir.resolve(ProcessHandle.current().pid() + ".txt"), tsv, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      stderr.println("(could not write the skip list under target/: " + e + ")");
    }
  }

  /** The printed summary; empty when nothing was skipped. */
  synchronized String summary() {
    if (skipped == 0) {
      return "";
    }
    StringBuilder out = new StringBuilder("\nSkipped because something is missing (" + skipped
        + (skipped == 1 ? " test" : " tests") + "; " + Requirements.HOW + " runs them all):\n");
    testsByReason.forEach((reason, tests) -> {
      out.append("  ").append(reason).append('\n');
      tests.stream().limit(SHOWN_PER_REASON).forEach(t -> out.append("    ").append(t).append('\n'));
      if (tests.size() > SHOWN_PER_REASON) {
        out.append("    ... and ").append(tests.size() - SHOWN_PER_REASON).append(" more (target/labscan-skipped/)\n");
      }
    });
    return out.append('\n').toString();
  }

  private static String name(TestIdentifier test) {
    TestSource source = test.getSource().orElse(null);
    if (source instanceof MethodSource m) {
      return m.getClassName() + "#" + m.getMethodName()
          + (test.getDisplayName().startsWith(m.getMethodName()) ? "" : " [" + test.getDisplayName() + "]");
    }
    if (source instanceof ClassSource c) {
      return c.getClassName();
    }
    return test.getDisplayName();
  }

  private static String firstLine(String message) {
    int end = message.indexOf('\n');
    return (end < 0 ? message : message.substring(0, end)).strip();
  }
}
