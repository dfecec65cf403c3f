package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Human and machine output of egress windows for {@code labscan-agent egress}. Process
 * names, paths and user names come from the endpoint and are hostile: the table shows
 * control and format characters (escape sequences, bidi overrides) as '?', and JSON
 * escapes them.
 */
public final class EgressWindowFormat {
  private static final int MAX_FIELD = 200;
  private static final int DESTINATIONS_SHOWN = 5;

  private EgressWindowFormat() {}

  public static String json(List<SmtpEgressWindow> windows) {
    requireNonNull(windows, "windows");
    JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < windows.size(); i++) {
      try {
        sb.append(i == 0 ? "\n  " : ",\n  ").append(printer.print(windows.get(i)));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot print an egress window as JSON", e); // no Any fields
      }
    }
    return sb.append(windows.isEmpty() ? "]\n" : "\n]\n").toString();
  }

  public static String table(List<SmtpEgressWindow> windows) {
    requireNonNull(windows, "windows");
    if (windows.isEmpty()) {
      return "No SMTP connections seen.\n";
    }
    StringBuilder sb = new StringBuilder(String.format("%-7s %-16s %-12s %5s %5s %-7s %-6s %s%n",
        "PID", "PROCESS", "USER", "CONNS", "DESTS", "ALLOWED", "SOURCE", "PATH / DESTINATIONS"));
    for (SmtpEgressWindow w : windows) {
      sb.append(String.format("%-7s %-16s %-12s %5d %5d %-7s %-6s %s%n",
          w.getUnattributed() ? "-" : Integer.toString(w.getPid()),
          clean(w.getProcessName().isEmpty() ? "?" : w.getProcessName(), 16),
          clean(w.getUser().isEmpty() ? "?" : w.getUser(), 12),
          w.getConnections(), w.getDistinctDestinations(), w.getAllowed() ? "yes" : "NO",
          clean(w.getSource(), 6), clean(w.getProcessPath(), MAX_FIELD)));
      String destinations = w.getDestinationsList().stream().limit(DESTINATIONS_SHOWN)
          .map(EgressWindowFormat::destination).collect(Collectors.joining(", "));
      int more = w.getDestinationsCount() - DESTINATIONS_SHOWN;
      sb.append("        -> ").append(destinations).append(more > 0 ? ", +" + more + " more" : "")
          .append("  (").append(Timestamps.toString(w.getFirstSeen())).append(" .. ")
          .append(Timestamps.toString(w.getLastSeen())).append(")\n");
    }
    return sb.toString();
  }

  private static String destination(EgressDestination d) {
    String ip = clean(d.getIp(), 64);
    return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + d.getPort() + " x" + d.getConnections();
  }

  /** Replaces control and format characters, cuts to {@code max} code points. */
  static String clean(String s, int max) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().limit(max).forEach(cp -> {
      int type = Character.getType(cp);
      boolean unsafe = type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED || type == Character.SURROGATE
          || type == Character.PRIVATE_USE;
      sb.appendCodePoint(unsafe ? '?' : cp);
    });
    return s.codePointCount(0, s.length()) > max ? sb.append('…').toString() : sb.toString();
  }
}
