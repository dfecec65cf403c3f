package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.fleet.HostsFormat;
import io.labscan.controller.text.Text;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.controller.verdict.VerdictService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller infected}: INFECTED and SUSPECTED hosts with their reasons. */
@Command(name = "infected", mixinStandardHelpOptions = true,
    description = "Lists INFECTED and SUSPECTED hosts with the reasons, most serious first.")
final class InfectedCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = Text.jsonMapper();

  @Mixin DatabaseOptions db;

  @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @Override
  public Integer call() throws Exception {
    var opened = db.open("infected", DatabaseSelection.Absent.REFUSE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get();
        Controller controller = Controller.over(store, Clock.systemUTC())) {
      VerdictService verdicts = controller.verdicts();
      try (Progress progress = Progress.forTerminal("Recomputing verdicts")) {
        verdicts.recomputeAll(progress::step);
      }
      List<VerdictRecord> listed = store.verdicts().stream()
          .filter(v -> v.verdict().isInfectedList())
          .sorted(Comparator.comparing(VerdictRecord::verdict).thenComparing(VerdictRecord::since))
          .toList();
      if (format == OutputFormat.JSON) {
        ArrayNode array = JSON.createArrayNode();
        for (VerdictRecord v : listed) {
          ObjectNode o = array.addObject();
          o.put("hostId", v.hostId());
          o.put("hostname", store.host(v.hostId()).map(HostSummary::hostname).orElse(""));
          o.put("demo", store.host(v.hostId()).map(HostSummary::demo).orElse(false));
          o.put("verdict", v.verdict().name());
          o.put("since", v.since().toString());
          ArrayNode reasons = o.putArray("reasons");
          for (Reason r : v.reasons()) {
            reasons.addObject().put("code", r.code()).put("text", r.text()).put("evidence", r.evidence());
          }
        }
        System.out.println(JSON.writeValueAsString(array));
        return 0;
      }
      if (listed.isEmpty()) {
        System.out.println("No INFECTED or SUSPECTED hosts.");
        return 0;
      }
      for (VerdictRecord v : listed) {
        HostSummary h = store.host(v.hostId()).orElseThrow();
        System.out.printf("%-9s %s%s (%s) %s since %s%n", v.verdict(), Text.terminalSafe(h.hostname(), 60),
            h.demo() ? " " + HostsFormat.DEMO_MARK : "", Text.terminalSafe(String.join(",", h.currentAddresses()), 200),
            Text.terminal(v.hostId()), v.since());
        for (Reason r : v.reasons()) {
          System.out.println("          - " + Text.terminalSafe(r.text(), 400) + "  [" + Text.terminalSafe(r.evidence(), 200)
              + "]");
        }
      }
      return 0;
    }
  }
}
