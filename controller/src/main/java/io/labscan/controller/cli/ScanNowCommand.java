package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.text.Text;
import io.labscan.controller.campaign.AgentCommands;
import io.labscan.controller.campaign.Campaign;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.campaign.RunStatus;
import io.labscan.controller.campaign.TargetResolver;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller scan-now}: a full scan of a lab, or of every host, now. */
@Command(name = "scan-now", mixinStandardHelpOptions = true,
    description = {
      "Asks every host of a lab (or every host) for a full scan now: the same as the web UI's \"scan now\"",
      "campaign. The running controller sends the command to connected agents within seconds; the others",
      "get it when they reconnect (within 7 days). Progress: the web UI's Schedules page."
    })
final class ScanNowCommand implements Callable<Integer> {
  @Mixin DatabaseOptions db;

  @Option(names = "--lab", paramLabel = "LAB", description = "Only the hosts of this lab (default: every host).")
  String lab;

  @Override
  public Integer call() {
    var opened = db.open("scan-now", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    Clock clock = Clock.systemUTC();
    Optional<String> target = Optional.ofNullable(lab).map(String::strip).filter(s -> !s.isEmpty());
    try (Storage store = opened.get()) {
      TargetResolver hosts = Controller.over(store, clock).fleet().targets();
      if (hosts.hostIds(target).isEmpty()) {
        System.err.println("labscan-controller scan-now: no host " + target.map(l -> "in lab '"
            + Text.terminalSafe(l, 80) + "'").orElse("is known yet") + "; nothing to scan.");
        return ControllerMain.EXIT_BAD_INPUT;
      }
      return request(store, hosts, target, clock);
    }
  }

  private static int request(Storage store, TargetResolver hosts, Optional<String> target, Clock clock) {
    try (CampaignService campaigns = new CampaignService(store, AgentCommands.none(), hosts, clock)) {
      Campaign campaign = campaigns.create("scan now: " + target.orElse("every host") + " (command line)", target,
          Optional.empty(), "UTC", "command line");
      RunStatus run = campaigns.runs(campaign.campaignId(), 1).get(0);
      io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.CAMPAIGN_CREATE, campaign.campaignId(),
          campaign.name() + "; lab " + target.orElse("(every host)") + "; now; " + run.targets().size() + " hosts");
      System.out.println("Full scan requested from " + run.targets().size() + " host(s) (campaign "
          + campaign.campaignId() + "); a running controller sends it to connected agents within seconds.");
      return 0;
    }
  }
}
