package io.labscan.agent.checks.artifacts.walk;

import io.labscan.agent.platform.Platform;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the walker at run time: the native Linux one when it works here, else the JDK's. */
final class TreeWalkers {
  private static final Logger log = LoggerFactory.getLogger(TreeWalkers.class);

  private TreeWalkers() {}

  /** Probed once per JVM, and only on Linux: the answer cannot change while it runs. */
  private static final class LinuxHolder {
    static final Optional<TreeWalker> NATIVE = LinuxTreeWalker.probe();
  }

  static TreeWalker forPlatform(Platform platform) {
    Optional<TreeWalker> linux = platform.isLinux() ? LinuxHolder.NATIVE : Optional.empty();
    if (linux.isPresent()) {
      return linux.get();
    }
    log.debug("Native directory walker unavailable here; using the JDK's.");
    return new NioTreeWalker();
  }
}
