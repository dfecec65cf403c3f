package io.labscan.agent.checks.standard;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.artifacts.ActiveRuleSet;
import io.labscan.agent.checks.artifacts.ArtifactCheck;
import io.labscan.contract.rules.RuleSet;
import io.labscan.agent.checks.artifacts.ScanProgress;
import io.labscan.agent.checks.av.AvCheck;
import io.labscan.agent.checks.harvest.HarvestCheck;
import io.labscan.agent.checks.mail.MailCheck;
import io.labscan.agent.inventory.InventoryCheck;
import io.labscan.agent.inventory.InventoryCollector;
import io.labscan.agent.platform.Platform;
import io.labscan.contract.policy.CheckBudgets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/** The checks a normal scan runs, in order. New detectors register here. */
public final class StandardChecks {
  /** The names of the checks {@link #create} makes, in order (for settings keyed by check). */
  public static final List<String> NAMES = CheckBudgets.CHECK_NAMES;

  private StandardChecks() {}

  public static List<Check> create(String hostId, String lab) {
    return create(hostId, lab, ScanProgress.none(), ActiveRuleSet.builtIn());
  }

  /**
   * @param progress where the filesystem walk reports progress (a terminal, or nowhere)
   * @param rules the artifact rule set in force at each scan (the controller may replace it)
   */
  public static List<Check> create(String hostId, String lab, ScanProgress progress, Supplier<RuleSet> rules) {
    return create(hostId, lab, progress, rules, PlatformSources.forPlatform(Platform.current()));
  }

  /** As {@link #create(String, String, ScanProgress, Supplier)}, with the platform's sources given. */
  public static List<Check> create(String hostId, String lab, ScanProgress progress, Supplier<RuleSet> rules,
      PlatformSources platform) {
    return List.of(
        new InventoryCheck(new InventoryCollector(lab), hostId),
        new AvCheck(platform.avProviders()),
        new ArtifactCheck(rules, platform.liveRegistry(), progress),
        new MailCheck(),
        new HarvestCheck());
  }

  /**
   * Whether {@code root} is the running system's own root ({@code /}, or a drive root such
   * as {@code C:\} on Windows): then live-only sources (registry, WMI, sockets) describe the
   * scanned machine. Any other folder is an offline scan of a mounted disk.
   */
  public static boolean isLiveRoot(Path root) {
    Path normalized = root.toAbsolutePath().normalize();
    for (Path systemRoot : FileSystems.getDefault().getRootDirectories()) {
      if (systemRoot.equals(normalized)) {
        return true;
      }
    }
    return false;
  }
}
