package io.labscan.controller.faults;

import static java.util.Objects.requireNonNull;

import io.labscan.testsupport.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A private mount namespace ({@code unshare --mount}) held open by a small process, for
 * storage faults nobody else on the machine sees: a small tmpfs that fills up, a folder
 * remounted read-only. Processes join it with {@link #enter()} ({@code nsenter}); this JVM
 * reaches its files through {@code /proc/<holder>/root}.
 *
 * <p>Needs root (or at least CAP_SYS_ADMIN) and util-linux's {@code unshare} and
 * {@code nsenter}; tests using it are skipped, loudly, where that is missing.
 */
final class MountNamespace implements AutoCloseable {
  private final Process holder;

  private MountNamespace(Process holder) {
    this.holder = holder;
  }

  /**
   * Skips the calling test (fails it under {@code LABSCAN_STRICT=1}) unless private mount
   * namespaces can be made here.
   */
  static void assumeAvailable() {
    Requirements.root("private mount namespaces for the storage fault tests");
    Requirements.command("unshare", "util-linux");
    Requirements.command("nsenter", "util-linux");
    Requirements.kernelFeature("private mount namespaces", refusal());
  }

  private static Optional<String> refusal() {
    try {
      Process probe = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "true")
          .redirectErrorStream(true).start();
      String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!probe.waitFor(30, TimeUnit.SECONDS) || probe.exitValue() != 0) {
        return Optional.of("'unshare --mount' failed: " + out);
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("'unshare --mount' could not start: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /** A namespace that differs from this one only where a test changes it. */
  static MountNamespace create() {
    return start("true");
  }

  /** A namespace with a fresh tmpfs of {@code bytes} at {@code mountPoint} (created if needed). */
  static MountNamespace withTmpfs(Path mountPoint, long bytes) {
    try {
      Files.createDirectories(mountPoint);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return start("mount -t tmpfs -o size=" + bytes + ",mode=0700 labscan-fault-test '" + mountPoint + "'");
  }

  /** Runs {@code setup} in a new namespace, then keeps it alive until this JVM closes stdin. */
  private static MountNamespace start(String setup) {
    Process holder;
    try {
      holder = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c",
          setup + " && echo ready && exec cat").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    String first;
    try {
      first = CompletableFuture.supplyAsync(() -> {
        try {
          return String.valueOf(out.readLine());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      holder.destroyForcibly();
      throw new IllegalStateException("The mount namespace did not come up: " + e, e);
    }
    if (!"ready".equals(first)) {
      holder.destroyForcibly();
      throw new IllegalStateException("Setting up the mount namespace failed: " + first);
    }
    return new MountNamespace(holder);
  }

  /** The command prefix that runs a program inside this namespace. */
  List<String> enter() {
    return List.of("nsenter", "--target", Long.toString(holder.pid()), "--mount", "--");
  }

  /** Where this JVM finds {@code inside} (an absolute path as the namespace sees it). */
  Path outside(Path inside) {
    requireNonNull(inside, "inside");
    if (!inside.isAbsolute()) {
      throw new IllegalArgumentException("not absolute: " + inside);
    }
    return Path.of("/proc", Long.toString(holder.pid()), "root").resolve(inside.toString().substring(1));
  }

  /** Makes {@code path} (file or folder) read-only in the namespace: a read-only bind mount onto itself. */
  void readOnly(Path path) {
    run("mount", "--bind", path.toString(), path.toString());
    run("mount", "-o", "remount,bind,ro", path.toString());
  }

  /** Undoes {@link #readOnly}. */
  void writable(Path path) {
    run("umount", path.toString());
  }

  private void run(String... command) {
    List<String> full = new ArrayList<>(enter());
    full.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed in the mount namespace: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    holder.destroyForcibly();
    try {
      holder.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
