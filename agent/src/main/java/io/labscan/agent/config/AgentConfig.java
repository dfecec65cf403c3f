package io.labscan.agent.config;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's local configuration ({@code /etc/labscan/agent.yaml} when installed).
 *
 * @param controller controller address as {@code host:port}, or several separated by commas (the
 *     agent uses one at a time, its home one first, in an order of its own derived from its host
 *     id, and moves to the next when its controller is unreachable; see {@link #controllers()}); empty for offline-only use
 * @param insecure plaintext gRPC (demo and tests only; must be asked for by name)
 * @param stateDir the agent's own writable folder: identity, spool, caches
 * @param lab the lab (group of hosts) this machine belongs to; empty when unassigned
 * @param scanRoot the folder filesystem checks treat as the system root
 * @param token enrolment token, used once when the agent has no certificate yet
 * @param enroll address of the controller's enrolment port as {@code host:port}; empty means
 *     the controller's host with the controller's port + 1
 */
public record AgentConfig(
    Optional<String> controller, boolean insecure, Path stateDir, String lab, Path scanRoot,
    Optional<EnrolmentToken> token, Optional<String> enroll) {

  public AgentConfig {
    requireNonNull(controller, "controller");
    requireNonNull(stateDir, "stateDir");
    requireNonNull(lab, "lab");
    requireNonNull(scanRoot, "scanRoot");
    requireNonNull(token, "token");
    requireNonNull(enroll, "enroll");
  }

  /** A configuration without enrolment settings. */
  public AgentConfig(Optional<String> controller, boolean insecure, Path stateDir, String lab, Path scanRoot) {
    this(controller, insecure, stateDir, lab, scanRoot, Optional.empty(), Optional.empty());
  }

  /** Configuration for a machine with no config file: scan-only, state under the user's home. */
  public static AgentConfig defaults() {
    return new AgentConfig(Optional.empty(), false, defaultStateDir(), "", Path.of("/"));
  }

  public AgentConfig withController(String target, boolean plaintext) {
    return new AgentConfig(Optional.of(target), plaintext, stateDir, lab, scanRoot, token, enroll);
  }

  public AgentConfig withStateDir(Path dir) {
    return new AgentConfig(controller, insecure, dir, lab, scanRoot, token, enroll);
  }

  public AgentConfig withLab(String newLab) {
    return new AgentConfig(controller, insecure, stateDir, newLab, scanRoot, token, enroll);
  }

  public AgentConfig withScanRoot(Path root) {
    return new AgentConfig(controller, insecure, stateDir, lab, root, token, enroll);
  }

  public AgentConfig withToken(EnrolmentToken newToken) {
    return new AgentConfig(controller, insecure, stateDir, lab, scanRoot, Optional.of(newToken), enroll);
  }

  public AgentConfig withEnroll(String target) {
    return new AgentConfig(controller, insecure, stateDir, lab, scanRoot, token, Optional.of(target));
  }

  /**
   * The controller addresses in order (the parts of {@link #controller}); empty when none. Lenient:
   * blank parts are skipped, because validation with messages happens where the text comes in
   * ({@link ConfigLoader}, the command line's {@link ControllerAddresses#parse}).
   */
  public java.util.List<String> controllers() {
    return controller.stream()
        .flatMap(text -> java.util.Arrays.stream(text.split(",")))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /**
   * Where to enrol: {@code enroll} when set, else the first controller's host on the next port
   * (the controller's default layout: 7443 for agents, 7444 for enrolment). With several
   * controllers the first one's enrolment port is used: every controller of a fleet serves
   * enrolment, and an agent enrols once; set {@code enroll:} to name another.
   */
  public Optional<String> enrolmentTarget() {
    if (enroll.isPresent()) {
      return enroll;
    }
    return controllers().stream().findFirst().flatMap(AgentConfig::nextPort);
  }

  static Optional<String> nextPort(String target) {
    int colon = target.lastIndexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(target.substring(colon + 1));
      return port > 0 && port < 65535
          ? Optional.of(target.substring(0, colon + 1) + (port + 1)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static Path defaultStateDir() {
    if (io.labscan.agent.platform.Platform.current().isWindows()) {
      String programData = System.getenv().getOrDefault("ProgramData", "C:\\ProgramData");
      return Path.of(programData, "LabScan", "agent");
    }
    if ("root".equals(System.getProperty("user.name"))) {
      return Path.of("/var/lib/labscan-agent");
    }
    return Path.of(System.getProperty("user.home"), ".local", "state", "labscan-agent");
  }
}
