package io.labscan.controller.e2e;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A long-running process of the test (controller, agent), its standard output and error in
 * files. Closing asks it to stop (SIGTERM: the agent and controller run their shutdown hooks),
 * then kills it and everything it started.
 */
final class LabProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private LabProcess(String name, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  static LabProcess start(String name, List<String> command, Path logDir) throws IOException {
    requireNonNull(name, "name");
    Files.createDirectories(logDir);
    Path out = logDir.resolve(name + ".out.log");
    Path err = logDir.resolve(name + ".err.log");
    Files.writeString(logDir.resolve(name + ".command"), String.join(" ", command) + "\n");
    Process p = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    return new LabProcess(name, p, out, err);
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path stderr() {
    return stderr;
  }

  /** Standard error so far (the agent and controller log there). */
  String log() {
    try {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The last {@code lines} lines of standard output and error, for a failure report. */
  String tails(int lines) {
    return "---- " + name + " (" + (process.isAlive() ? "running" : "exited " + process.exitValue()) + ") "
        + stdout + "\n" + tail(stdout, lines) + "---- " + stderr + "\n" + tail(stderr, lines);
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      StringBuilder sb = new StringBuilder();
      for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
        sb.append("    ").append(line).append('\n');
      }
      return sb.toString();
    } catch (IOException e) {
      return "    (" + e.getMessage() + ")\n";
    }
  }

  @Override
  public String toString() {
    return name;
  }

  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        System.err.println("KlezStoryIT: " + name + " did not stop within 15 s of SIGTERM; killing it");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    children.forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
