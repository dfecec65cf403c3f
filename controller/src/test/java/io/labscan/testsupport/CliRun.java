package io.labscan.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.cli.ControllerMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * One run of {@code labscan-controller ARGS...} in the test's JVM, as a shell would see it: the
 * exit code and everything the command printed on standard output and standard error (UTF-8).
 *
 * <p>The command line is {@link ControllerMain#commandLine()}, the one {@code main} runs, so the
 * parsing, the exit codes and the messages are the real ones. {@code System.out} and
 * {@code System.err} are swapped for the run and always put back, which is why runs must not
 * overlap (the test classes that use it run their tests one at a time, as JUnit does by default).
 *
 * @param code the exit code ({@code 0}, {@code 1} a failure of the work, {@link ControllerMain#EXIT_BAD_INPUT})
 * @param out what the command printed on standard output
 * @param err what the command printed on standard error
 */
public record CliRun(int code, String out, String err) {

  /** Runs {@code labscan-controller args...} and returns what it answered. */
  public static CliRun run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = ControllerMain.commandLine().execute(args);
      return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** This run, after asserting that it succeeded (exit 0); the failure shows both streams. */
  public CliRun ok() {
    assertThat(code).as("stdout: %s%nstderr: %s", out, err).isZero();
    return this;
  }
}
