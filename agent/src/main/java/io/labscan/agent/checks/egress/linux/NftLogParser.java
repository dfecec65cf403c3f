package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.ProcessInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * Parses the kernel log records our nftables rule writes. A {@code /dev/kmsg} record is
 * {@code "<priority>,<sequence>,<usec since boot>,<flags>;<message>"} followed by optional
 * continuation lines; the message of a netfilter log line is the prefix then
 * {@code KEY=value} words:
 * <pre>
 * 7,2344,492880188,-;labscan-smtp IN= OUT=eth0 SRC=10.1.2.3 DST=192.0.2.7 LEN=60 TOS=0x00
 *   PREC=0x00 TTL=64 ID=45762 DF PROTO=TCP SPT=39228 DPT=25 WINDOW=64240 RES=0x00 SYN URGP=0 UID=1000 GID=1000
 * </pre>
 * Only kernel-facility records count (priority &lt; 8): root may write records into the log
 * through {@code /dev/kmsg}, but they carry the user facility, so a forged line is ignored.
 * Total: anything malformed gives empty.
 */
public final class NftLogParser {
  private static final int MAX_RECORD = 8 * 1024;

  private NftLogParser() {}

  /**
   * @param record one {@code /dev/kmsg} record
   * @param prefix the rule's log prefix
   * @param receivedAt when the record was read (the record's own stamp is time since boot)
   * @param userNames uid → user name
   */
  public static Optional<EgressEvent> parseKmsgRecord(String record, String prefix, Instant receivedAt,
      LongFunction<String> userNames) {
    requireNonNull(record, "record");
    requireNonNull(prefix, "prefix");
    requireNonNull(receivedAt, "receivedAt");
    requireNonNull(userNames, "userNames");
    if (record.length() > MAX_RECORD) {
      return Optional.empty();
    }
    int semicolon = record.indexOf(';');
    if (semicolon <= 0) {
      return Optional.empty();
    }
    int comma = record.indexOf(',');
    if (comma <= 0 || comma > semicolon) {
      return Optional.empty();
    }
    long priority = parseDecimal(record.substring(0, comma));
    if (priority < 0 || priority >= 8) {
      return Optional.empty(); // not the kernel facility
    }
    int lineEnd = record.indexOf('\n', semicolon);
    String message = record.substring(semicolon + 1, lineEnd < 0 ? record.length() : lineEnd);
    return parseMessage(message, prefix, receivedAt, userNames);
  }

  /** Parses the message part of a netfilter log line (as {@code dmesg} shows it, minus the time stamp). */
  public static Optional<EgressEvent> parseMessage(String message, String prefix, Instant receivedAt,
      LongFunction<String> userNames) {
    if (prefix.isEmpty() || !message.startsWith(prefix)) {
      return Optional.empty();
    }
    Map<String, String> fields = new HashMap<>();
    for (String word : message.substring(prefix.length()).split(" ")) {
      int eq = word.indexOf('=');
      if (eq > 0) {
        fields.putIfAbsent(word.substring(0, eq), word.substring(eq + 1));
      }
    }
    if (!"TCP".equals(fields.get("PROTO"))) {
      return Optional.empty();
    }
    long sport = parseDecimal(fields.getOrDefault("SPT", ""));
    long dport = parseDecimal(fields.getOrDefault("DPT", ""));
    if (sport < 0 || sport > 0xffff || dport <= 0 || dport > 0xffff) {
      return Optional.empty();
    }
    Optional<Endpoint> local = Endpoint.parse(fields.getOrDefault("SRC", ""), (int) sport);
    Optional<Endpoint> remote = Endpoint.parse(fields.getOrDefault("DST", ""), (int) dport);
    if (local.isEmpty() || remote.isEmpty()) {
      return Optional.empty();
    }
    long uid = parseDecimal(fields.getOrDefault("UID", ""));
    ProcessInfo owner = uid >= 0 && uid <= 0xffffffffL ? ProcessInfo.userOnly(userNames.apply(uid))
        : ProcessInfo.unknown();
    return Optional.of(new EgressEvent(receivedAt, local.get(), remote.get(), owner));
  }

  private static long parseDecimal(String s) {
    if (s.isEmpty() || s.length() > 10) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
