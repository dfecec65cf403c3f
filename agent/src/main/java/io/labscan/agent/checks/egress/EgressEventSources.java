package io.labscan.agent.checks.egress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the connection event source for the platform, when it can run here. */
public final class EgressEventSources {
  private static final Logger log = LoggerFactory.getLogger(EgressEventSources.class);

  private EgressEventSources() {}

  /**
   * Linux as root with nft installed: {@link NftablesEventSource}; Windows:
   * {@link WfpAuditEventSource}; otherwise empty (logged), and the watcher polls only.
   */
  public static Optional<EgressEventSource> forCurrentPlatform(Set<Integer> ports) {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (os.startsWith("windows")) {
      return Optional.of(WfpAuditEventSource.system(ports));
    }
    if (os.startsWith("linux")) {
      if (!isRoot()) {
        log.warn("SMTP egress event mode needs root; polling only.");
        return Optional.empty();
      }
      if (!NftablesRules.isInstalled()) {
        log.warn("SMTP egress event mode needs nft (Debian package nftables); polling only.");
        return Optional.empty();
      }
      return Optional.of(NftablesEventSource.forPorts(ports));
    }
    log.warn("SMTP egress event mode is not available on {}; polling only.", os);
    return Optional.empty();
  }

  /** Effective uid 0, from /proc/self/status (the JDK has no call for it). */
  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] f = line.substring(4).trim().split("\\s+");
          return f.length > 1 && f[1].equals("0");
        }
      }
    } catch (Exception e) {
      // not Linux, or /proc unmounted
    }
    return false;
  }
}
