package io.labscan.installers;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external program to completion with a deadline; output and error merged. */
final class Command {
  /** What a finished program left behind. */
  record Result(int exitCode, String output) {
    Result {
      requireNonNull(output, "output");
    }

    @Override
    public String toString() {
      return "exit " + exitCode + ":\n" + output;
    }
  }

  private Command() {}

  static Result run(List<String> command) {
    return run(command, Map.of(), "", Duration.ofMinutes(2));
  }

  static Result run(List<String> command, Map<String, String> environment, String stdin, Duration timeout) {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().close();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      Thread pump = new Thread(() -> copy(process.getInputStream(), output), "command-output");
      pump.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish within " + timeout);
      }
      pump.join(TimeUnit.SECONDS.toMillis(10));
      return new Result(process.exitValue(), output.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }

  /** The absolute path of {@code program} on PATH, if it is there. */
  static java.util.Optional<Path> onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
      if (Files.isExecutable(candidate)) {
        return java.util.Optional.of(candidate);
      }
    }
    return java.util.Optional.empty();
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try (in) {
      in.transferTo(out);
    } catch (IOException e) {
      // the process died; what was read so far is the output
    }
  }
}
