package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.policy.ProcessAllowlist;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The controller's own answer to "may this process send mail?", from the policy the controller
 * holds: the fleet's process allow-list ({@code policy --allow-process}) and the host's
 * mail-server role. The {@code allowed} flag in an agent's report is the agent's word, and the
 * agent runs on the machine the worm controls: a worm's agent could call its own traffic
 * allowed (and hide it from the verdict), or call a permitted relay's traffic not allowed. So the
 * controller judges every window itself, with the matching rule the agents use (one rule in the
 * contract, {@link ProcessAllowlist}: an absolute path must equal the executable path, any other
 * entry the process or executable name), and keeps the agent's word only for people to read.
 *
 * <p>Limits: process names and paths are still the agent's report; a worm that names itself like
 * an allowed program passes a name entry (an absolute-path entry is the strong form), and a
 * window with no process (unattributed) is never allowed on a host that is not a mail server.
 *
 * @param allowlist process names or absolute executable paths allowed to send mail on every host
 */
public record EgressAllowance(List<String> allowlist) {
  /** The setting that holds the fleet's allow-list, one entry a line (written by PolicyProvider). */
  public static final String SETTING = "egress-process-allowlist";

  public EgressAllowance {
    allowlist = List.copyOf(requireNonNull(allowlist, "allowlist"));
  }

  /** Nothing allowed but mail servers. */
  public static EgressAllowance none() {
    return new EgressAllowance(List.of());
  }

  /** From the stored setting's value (absent: nothing allowed). */
  public static EgressAllowance fromSetting(Optional<byte[]> value) {
    return new EgressAllowance(value.map(v -> new String(v, StandardCharsets.UTF_8).lines()
        .map(String::strip).filter(l -> !l.isEmpty()).toList()).orElse(List.of()));
  }

  /**
   * Whether policy lets this process on a host with (or without) the mail-server role send mail.
   * A mail server may; otherwise an allow-list entry that is an absolute path must equal the
   * executable path (Windows paths without case), any other entry must equal the process name or
   * the executable's file name (Windows names compare without case and ".exe"). An unknown
   * process is never allowed on a workstation.
   */
  public boolean allows(boolean mailServer, String processName, String processPath) {
    return mailServer || ProcessAllowlist.names(allowlist, processName == null ? "" : processName,
        processPath == null ? "" : processPath);
  }
}
