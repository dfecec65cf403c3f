package io.labscan.agent.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's local configuration ({@code /etc/labscan/agent.yaml} when installed).
 *
 * @param controller controller address as {@code host:port}; empty for offline-only use
 * @param insecure plaintext gRPC (demo and tests only; must be asked for by name)
 * @param stateDir the agent's own writable folder: identity, spool, caches
 * @param lab the lab (group of hosts) this machine belongs to; empty when unassigned
 * @param scanRoot the folder filesystem checks treat as the system root
 */
public record AgentConfig(
    Optional<String> controller, boolean insecure, Path stateDir, String lab, Path scanRoot) {

  public AgentConfig {
    requireNonNull(controller, "controller");
    requireNonNull(stateDir, "stateDir");
    requireNonNull(lab, "lab");
    requireNonNull(scanRoot, "scanRoot");
  }

  /** Configuration for a machine with no config file: scan-only, state under the user's home. */
  public static AgentConfig defaults() {
    return new AgentConfig(Optional.empty(), false, defaultStateDir(), "", Path.of("/"));
  }

  public AgentConfig withController(String target, boolean plaintext) {
    return new AgentConfig(Optional.of(target), plaintext, stateDir, lab, scanRoot);
  }

  public AgentConfig withStateDir(Path dir) {
    return new AgentConfig(controller, insecure, dir, lab, scanRoot);
  }

  public AgentConfig withLab(String newLab) {
    return new AgentConfig(controller, insecure, stateDir, newLab, scanRoot);
  }

  public AgentConfig withScanRoot(Path root) {
    return new AgentConfig(controller, insecure, stateDir, lab, root);
  }

  static Path defaultStateDir() {
    String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
    if (os.startsWith("windows")) {
      String programData = System.getenv().getOrDefault("ProgramData", "C:\\ProgramData");
      return Path.of(programData, "LabScan", "agent");
    }
    if ("root".equals(System.getProperty("user.name"))) {
      return Path.of("/var/lib/labscan-agent");
    }
    return Path.of(System.getProperty("user.home"), ".local", "state", "labscan-agent");
  }
}
