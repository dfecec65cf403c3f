package io.labscan.installers;

import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * dpkg on the machine running the tests. These tests install the packages for real, into this
 * machine, and remove and purge them afterwards: they run only as root, only where dpkg is, and
 * never over an installation they did not make.
 */
final class HostPackages {
  private HostPackages() {}

  /**
   * Skips the calling test class, loudly, unless it may install {@code packageName} here (fails
   * it under {@code LABSCAN_STRICT=1}, as in .ci/run).
   */
  static void assumeMayInstall(String packageName) {
    Requirements.command("dpkg", "dpkg");
    Requirements.root("dpkg -i of the " + packageName + " .deb");
    String status = status(packageName);
    Requirements.that(status.isEmpty(), "a machine without " + packageName + " (it is " + status
        + "; the test never overwrites an installation it did not make)", "dpkg --purge " + packageName);
  }

  /**
   * dpkg -i the package; fails the test if dpkg fails, except when only the package's
   * dependencies are missing on this machine (no Java runtime package): then it undoes the
   * half-installed package and skips, loudly.
   */
  static void installOrSkip(String packageName, Path deb) {
    Command.Result result = dpkg("--install", deb.toString());
    if (result.exitCode() != 0 && result.output().contains("dependency problems")) {
      purgeQuietly(packageName);
      Requirements.that(false, "the " + packageName + " .deb's dependencies (Debian packages "
          + "openjdk-17-jre-headless, adduser, passwd): " + result.output().strip().replace('\n', ' '),
          "sudo .ci/run installs them");
    }
    if (result.exitCode() != 0) {
      throw new AssertionError("dpkg --install " + deb + " failed, " + result);
    }
  }

  /** dpkg's status line for the package ("install ok installed", ...); empty when unknown. */
  static String status(String packageName) {
    Command.Result r = Command.run(List.of("dpkg-query", "-W", "-f=${Status}", packageName));
    return r.exitCode() == 0 ? r.output().strip() : "";
  }

  static Command.Result dpkg(String... args) {
    return Command.run(List.of(concat("dpkg", args)),
        Map.of("DEBIAN_FRONTEND", "noninteractive"), "", Duration.ofMinutes(5));
  }

  /** Purges the package if any trace of it is left; for cleanup paths, so it never throws. */
  static void purgeQuietly(String packageName) {
    try {
      if (!status(packageName).isEmpty()) {
        Command.Result r = dpkg("--purge", packageName);
        if (r.exitCode() != 0) {
          System.err.println("WARNING: could not purge " + packageName + ": " + r);
        }
      }
    } catch (RuntimeException e) {
      System.err.println("WARNING: could not purge " + packageName + ": " + e);
    }
  }

  /** "owner:group mode" of a file, e.g. "root:root rw-------", the way a reviewer reads it. */
  static String ownerAndMode(Path file) throws IOException {
    PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return a.owner().getName() + ":" + a.group().getName() + " " + PosixFilePermissions.toString(a.permissions());
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
