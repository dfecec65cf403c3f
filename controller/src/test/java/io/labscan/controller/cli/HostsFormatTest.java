package io.labscan.controller.cli;

import io.labscan.controller.fleet.HostsFormat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.store.HostSummary;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostsFormatTest {
  private static HostSummary host(String hostname) {
    Instant t = Instant.parse("2026-11-27T10:32:11Z");
    return new HostSummary("3c41a2ed-eb93-4b3e-8ae4-78e3a758230b", hostname, "windows", "XP", "0.1.0",
        "physics", false, List.of("10.20.3.17"), t, t, Optional.of(t), Optional.empty());
  }

  @Test
  void terminalEscapeSequencesInAHostnameAreNeutralised() {
    String table = HostsFormat.render(List.of(host("pc\u001b[2J\u001b]0;owned\u0007")), HostsFormat.Format.TABLE);
    assertThat(table).doesNotContain("\u001b").doesNotContain("\u0007").contains("pc\\x1B[2J\\x1B]0;owned\\x07");
  }

  @Test
  void csvCellsThatLookLikeFormulasAreDefused() {
    String csv = HostsFormat.render(List.of(host("=HYPERLINK(\"http://x\",\"y\")")), HostsFormat.Format.CSV);
    assertThat(csv).contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",");
  }

  @Test
  void aHostnameAnAgentChoseIsOneQuotedCellWhateverSeparatorTheSpreadsheetUses() {
    String hostname = "pc;=cmd|' /C calc'!A0,@SUM(1)";
    String csv = HostsFormat.render(List.of(host(hostname), host("-1+2")), HostsFormat.Format.CSV);
    io.labscan.controller.text.SpreadsheetCsv.assertEveryTextCellQuoted(csv);
    io.labscan.controller.text.SpreadsheetCsv.assertNoFormula(csv);
    List<List<String>> rows = io.labscan.controller.text.SpreadsheetCsv.rows(csv);
    assertThat(rows.get(1).get(1)).isEqualTo(hostname);
    assertThat(rows.get(2).get(1)).isEqualTo("'-1+2");
  }

  @Test
  void csvCellsEscapeTerminalControlAndBidiCharacters() {
    String csv = HostsFormat.render(List.of(host("pc\u001b[2Jevil\u202Etxt.exe")), HostsFormat.Format.CSV);
    assertThat(csv).doesNotContain("\u001b").doesNotContain("\u202E").contains(",\"pc\\x1B[2Jevil\\u202Etxt.exe\",");
  }

  @Test
  void jsonCarriesTheHostVerbatimAndNullForAbsentScans() throws Exception {
    String json = HostsFormat.render(List.of(host("<script>alert(1)</script>")), HostsFormat.Format.JSON);
    JsonNode node = new ObjectMapper().readTree(json).get(0);
    assertThat(node.get("hostname").asText()).isEqualTo("<script>alert(1)</script>");
    assertThat(node.get("addresses").get(0).asText()).isEqualTo("10.20.3.17");
    assertThat(node.get("lastFullScan").isNull()).isTrue();
    assertThat(node.get("lastReport").asText()).isEqualTo("2026-11-27T10:32:11Z");
  }

  @Test
  void tableCountsHosts() {
    assertThat(HostsFormat.render(List.of(host("a"), host("b")), HostsFormat.Format.TABLE)).contains("2 hosts");
  }

  private static HostSummary demoHost(String hostname) {
    HostSummary h = host(hostname);
    return new HostSummary(h.hostId(), h.hostname(), h.osFamily(), h.osVersion(), h.agentVersion(), "demo-bio-lab",
        h.elevated(), h.currentAddresses(), h.firstSeen(), h.lastSeen(), h.lastReport(), h.lastFullScan(), true);
  }

  @Test
  void demoHostsAreMarkedInTheTableAndCounted() {
    String table = HostsFormat.render(List.of(demoHost("lab-pc-07"), host("vm")), HostsFormat.Format.TABLE);
    assertThat(table).contains("lab-pc-07 [demo]").doesNotContain("vm [demo]")
        .contains("2 hosts (1 marked [demo]: simulated demo data");
  }

  @Test
  void jsonAndCsvSayWhetherAHostIsDemoData() throws Exception {
    List<HostSummary> hosts = List.of(demoHost("lab-pc-07"), host("vm"));
    JsonNode json = new ObjectMapper().readTree(HostsFormat.render(hosts, HostsFormat.Format.JSON));
    assertThat(json.get(0).get("demo").asBoolean()).isTrue();
    assertThat(json.get(1).get("demo").asBoolean()).isFalse();
    String[] lines = HostsFormat.render(hosts, HostsFormat.Format.CSV).split("\r\n");
    assertThat(lines[0]).endsWith(",demo");
    assertThat(lines[1]).endsWith(",\"true\"");
    assertThat(lines[2]).endsWith(",\"false\"");
  }
}
