package io.labscan.controller.fleet;

import io.labscan.controller.text.Text;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.store.HostSummary;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Renders hosts as a terminal table, JSON or CSV. Host-reported text is hostile: escaped here. */
public final class HostsFormat {
  private static final ObjectMapper JSON = Text.jsonMapper();
  private static final DateTimeFormatter TABLE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  /** Follows the hostname of a simulated host in tables. */
  public static final String DEMO_MARK = "[demo]";

  private HostsFormat() {}

  /**
   * The lab every output shows: the host's effective lab (lab rules first, then the agent's lab;
   * {@link HostSummary#effectiveLab()}); blank when the host has none. For a host whose effective
   * lab was not computed yet, the agent's lab.
   */
  public static String lab(HostSummary h) {
    return h.effectiveLab().map(HostSummary.EffectiveLab::lab).filter(l -> !l.equals(LabRules.UNASSIGNED))
        .orElse(h.effectiveLab().isPresent() ? "" : h.lab());
  }

  /** Output formats of {@code hosts}. */
  public enum Format { TABLE, JSON, CSV }

  public static String render(List<HostSummary> hosts, Format format) {
    return switch (format) {
      case TABLE -> table(hosts);
      case JSON -> json(hosts);
      case CSV -> csv(hosts);
    };
  }

  static String table(List<HostSummary> hosts) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"HOSTNAME", "HOST ID", "OS", "LAB", "ADDRESSES", "LAST SEEN (UTC)", "LAST FULL SCAN"});
    for (HostSummary h : hosts) {
      rows.add(new String[] {
          Text.terminalSafe(h.hostname(), 40) + (h.demo() ? " " + DEMO_MARK : ""),
          Text.terminal(h.hostId()),
          Text.terminalSafe(h.osFamily(), 10),
          Text.terminalSafe(lab(h), 20),
          Text.terminalSafe(String.join(",", h.currentAddresses()), 60),
          TABLE_TIME.format(h.lastSeen()),
          h.lastFullScan().map(TABLE_TIME::format).orElse("never")});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        sb.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
      }
      sb.append(System.lineSeparator());
    }
    sb.append(hosts.size()).append(hosts.size() == 1 ? " host" : " hosts");
    long demo = hosts.stream().filter(HostSummary::demo).count();
    if (demo > 0) {
      sb.append(" (").append(demo).append(" marked ").append(DEMO_MARK)
          .append(": simulated demo data loaded by 'labscan-controller demo')");
    }
    sb.append(System.lineSeparator());
    return sb.toString();
  }

  static String json(List<HostSummary> hosts) {
    ArrayNode array = JSON.createArrayNode();
    for (HostSummary h : hosts) {
      ObjectNode o = array.addObject();
      o.put("hostId", h.hostId());
      o.put("hostname", h.hostname());
      o.put("osFamily", h.osFamily());
      o.put("osVersion", h.osVersion());
      o.put("agentVersion", h.agentVersion());
      o.put("lab", lab(h));
      o.put("elevated", h.elevated());
      ArrayNode addresses = o.putArray("addresses");
      h.currentAddresses().forEach(addresses::add);
      o.put("firstSeen", h.firstSeen().toString());
      o.put("lastSeen", h.lastSeen().toString());
      putTime(o, "lastReport", h.lastReport());
      putTime(o, "lastFullScan", h.lastFullScan());
      o.put("demo", h.demo());
    }
    try {
      return JSON.writeValueAsString(array) + System.lineSeparator();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putTime(ObjectNode o, String name, Optional<Instant> t) {
    if (t.isPresent()) {
      o.put(name, t.get().toString());
    } else {
      o.putNull(name);
    }
  }

  static String csv(List<HostSummary> hosts) {
    StringBuilder sb = new StringBuilder(
        "host_id,hostname,os_family,os_version,agent_version,lab,elevated,addresses,first_seen,last_seen,"
            + "last_report,last_full_scan,demo\r\n");
    for (HostSummary h : hosts) {
      String[] cells = {h.hostId(), h.hostname(), h.osFamily(), h.osVersion(), h.agentVersion(), lab(h),
          Boolean.toString(h.elevated()), String.join(" ", h.currentAddresses()), h.firstSeen().toString(),
          h.lastSeen().toString(), h.lastReport().map(Instant::toString).orElse(""),
          h.lastFullScan().map(Instant::toString).orElse(""), Boolean.toString(h.demo())};
      for (int i = 0; i < cells.length; i++) {
        if (i > 0) {
          sb.append(',');
        }
        sb.append(Text.csvCell(cells[i]));
      }
      sb.append("\r\n");
    }
    return sb.toString();
  }
}
