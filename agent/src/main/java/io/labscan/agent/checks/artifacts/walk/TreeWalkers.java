package io.labscan.agent.checks.artifacts.walk;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the walker at run time: the native Linux one when it works here, else the JDK's. */
final class TreeWalkers {
  private static final Logger log = LoggerFactory.getLogger(TreeWalkers.class);

  private TreeWalkers() {}

  /** Probed once per JVM: the answer cannot change while it runs. */
  private static final class Holder {
    static final TreeWalker BEST = pick();
  }

  static TreeWalker best() {
    return Holder.BEST;
  }

  private static TreeWalker pick() {
    Optional<TreeWalker> linux = LinuxTreeWalker.probe();
    if (linux.isPresent()) {
      return linux.get();
    }
    log.debug("Native directory walker unavailable here; using the JDK's.");
    return new NioTreeWalker();
  }
}
