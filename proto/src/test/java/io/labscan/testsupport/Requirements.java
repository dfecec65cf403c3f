package io.labscan.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * What a test needs from the machine beyond a JDK — a Debian package's command, root, a kernel
 * feature — and what happens when it is missing.
 *
 * <p>On a developer's machine a missing requirement <em>skips</em> the test with one line that
 * says what is missing and how to get it ({@code needs nft (Debian package nftables): sudo
 * .ci/run installs it}), so {@code ./mvnw -B verify} passes on a machine with only a JDK and
 * {@link SkipSummary} lists every skip at the end of the module's run. In <em>strict</em> mode
 * — the environment variable {@value #STRICT_VARIABLE}{@code =1}, which {@code .ci/run} exports
 * — the same line <em>fails</em> the test instead: CI can never pass with the end-to-end story,
 * the browser tests or the namespace tests silently skipped.
 *
 * <p>Only requirements a CI machine can meet (install a package, run as root, a kernel that
 * allows namespaces) go through here. A test that cannot apply on this platform at all (a
 * Windows-only check on Linux, a permission test that root bypasses) keeps a plain JUnit
 * assumption: strict mode could not make it run.
 *
 * <p>Commands are looked up in the directories of {@code PATH} only, never in fixed system
 * folders, so that a {@code PATH} without them shows what a bare machine does. Root's
 * {@code PATH} holds {@code /usr/sbin} (where {@code nft}, {@code ip} and {@code postfix} live).
 */
public final class Requirements {
  /** The environment variable that turns every unmet requirement into a failure ({@code 1} or {@code true}). */
  public static final String STRICT_VARIABLE = "LABSCAN_STRICT";
  /** How to meet every requirement at once; ends every message. */
  static final String HOW = "sudo .ci/run";

  private static final Requirements HERE = new Requirements(System.getenv());

  private final Map<String, String> environment;

  /** Requirements judged against {@code environment} ({@code PATH}, {@value #STRICT_VARIABLE}). */
  public Requirements(Map<String, String> environment) {
    this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
  }

  /** This JVM's requirements (its own environment). */
  public static Requirements here() {
    return HERE;
  }

  /** The command {@code name} from {@code PATH}; skips (or fails, strict) naming the Debian package otherwise. */
  public static Path command(String name, String debianPackage) {
    return HERE.needCommand(name, debianPackage);
  }

  /** Skips (or fails, strict) unless this JVM runs as root; {@code forWhat} says what needs it. */
  public static void root(String forWhat) {
    HERE.need(isRoot(), "needs root (" + forWhat + "): " + HOW + " runs the tests as root");
  }

  /**
   * Skips (or fails, strict) when the kernel refuses {@code feature}; {@code refusal} is why
   * (empty when the feature works).
   */
  public static void kernelFeature(String feature, Optional<String> refusal) {
    Objects.requireNonNull(refusal, "refusal");
    HERE.need(refusal.isEmpty(), "needs " + feature + " from the kernel: " + refusal.orElse("")
        + " (" + HOW + " as root on a kernel that allows it)");
  }

  /**
   * Skips (or fails, strict) unless {@code met}; {@code needs} names the requirement and
   * {@code how} the way to meet it, e.g. {@code that(ok, "a free dpkg slot for labscan-agent",
   * "apt purge labscan-agent")}.
   */
  public static void that(boolean met, String needs, String how) {
    HERE.need(met, "needs " + needs + ": " + how);
  }

  /** Whether unmet requirements fail instead of skipping. */
  public boolean strict() {
    String value = environment.getOrDefault(STRICT_VARIABLE, "").strip();
    return value.equals("1") || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("yes");
  }

  /** {@link #command(String, String)} against this instance's environment. */
  public Path needCommand(String name, String debianPackage) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(debianPackage, "debianPackage");
    Optional<Path> found = findOnPath(name);
    need(found.isPresent(), "needs " + name + " (Debian package " + debianPackage + "): " + HOW + " installs it");
    return found.orElseThrow();
  }

  /** {@code name} in a directory of this environment's {@code PATH}, if executable there. */
  public Optional<Path> findOnPath(String name) {
    if (name.isEmpty() || name.contains("/")) {
      throw new IllegalArgumentException("a command name, not a path: " + name);
    }
    for (String dir : environment.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /**
   * Nothing when {@code met}; otherwise prints {@code message} on standard error and aborts the
   * test ({@link TestAbortedException}), or fails it ({@link AssertionFailedError}) when strict.
   */
  public void need(boolean met, String message) {
    Objects.requireNonNull(message, "message");
    if (met) {
      return;
    }
    if (strict()) {
      System.err.println("*** FAILED (" + STRICT_VARIABLE + "=1): " + message + " ***");
      throw new AssertionFailedError(message + " [" + STRICT_VARIABLE + "=1 turns this skip into a failure]");
    }
    System.err.println("*** SKIPPED: " + message + " ***");
    throw new TestAbortedException(message);
  }

  /** Whether this JVM runs as root (effective uid 0, from /proc/self/status). */
  public static boolean isRoot() {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith("Uid:")).findFirst()
          .map(l -> l.substring(4).trim().split("\\s+")[1].equals("0")).orElse(false);
    } catch (IOException | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }
}
