package io.labscan.controller.e2e;

import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Short-lived system commands (ip, postfix, python3) with a deadline and their output captured. */
final class Commands {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private Commands() {}

  /** What a command did. */
  record Result(List<String> command, int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    /** Fails with the command and its output unless it exited 0. */
    Result orThrow() throws IOException {
      if (!ok()) {
        throw new IOException(String.join(" ", command) + " failed (exit " + exit + "): " + (out + err).strip());
      }
      return this;
    }
  }

  static Result run(List<String> command) throws IOException {
    return run(command, DEFAULT_TIMEOUT);
  }

  static Result run(List<String> command, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close(); // no input: a program reading stdin sees end of file
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(command, -1, out.getNow(""), "timed out after " + timeout.toSeconds() + " s");
      }
      return new Result(command, p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", command), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("output of " + String.join(" ", command) + " unreadable: " + e, e);
    }
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A binary the test cannot run without: skips the test, naming the Debian package, when
   * {@code PATH} lacks it (fails it under {@code LABSCAN_STRICT=1}, which .ci/run sets). Runs the
   * copy in a system folder when there is one, not a PATH entry that may shadow it (a pyenv shim
   * for python3 would not work inside the lab's namespaces).
   */
  static String required(String name, String debianPackage) {
    Path onPath = Requirements.command(name, debianPackage);
    for (String dir : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
      Path system = Path.of(dir, name);
      if (Files.isExecutable(system)) {
        return system.toString();
      }
    }
    return onPath.toString();
  }

  static String ip() {
    return required("ip", "iproute2");
  }
}
