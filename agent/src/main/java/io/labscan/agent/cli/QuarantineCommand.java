package io.labscan.agent.cli;

import io.labscan.agent.platform.Platform;
import io.labscan.agent.quarantine.NftablesQuarantine;
import io.labscan.agent.quarantine.WfpQuarantine;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code labscan-agent quarantine --remove-rules}: removes the SMTP quarantine's rules of this
 * machine (Linux: the nftables table {@code inet labscan_quarantine}; Windows: every WFP filter of
 * LabScan's provider, its sublayer and the provider, and the older agents' firewall rule). For
 * uninstallers: the quarantine must not outlive the agent. The order file stays, so a reinstall
 * that keeps the state folder restores the quarantine at start.
 */
@Command(name = "quarantine", mixinStandardHelpOptions = true,
    description = {
      "Manages this machine's SMTP quarantine rules. The controller orders quarantines; this",
      "command only removes the agent's rules, for uninstallers. Run as root/administrator."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {"0:the rules are gone (or there were none)", "1:the rules could not be removed",
        "2:bad usage"})
final class QuarantineCommand implements Callable<Integer> {
  @Option(names = "--remove-rules", required = true,
      description = "Remove the quarantine's firewall rules of this machine and exit.")
  boolean removeRules;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try {
      switch (Platform.current()) {
        case LINUX -> NftablesQuarantine.removeRules();
        case WINDOWS -> WfpQuarantine.removeRules();
        default -> {
          // nothing is enforced on this platform, so there is nothing to remove
        }
      }
      return 0;
    } catch (IOException | RuntimeException e) {
      err.println("labscan-agent quarantine: " + e.getMessage());
      return 1;
    }
  }
}
