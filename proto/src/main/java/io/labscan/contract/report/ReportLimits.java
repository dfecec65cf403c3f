package io.labscan.contract.report;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportClipping;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The size limits of a {@link Report}, one definition for both sides: the controller's
 * validator refuses a report that breaks one (naming the field), and the agent
 * {@linkplain #clip clips} every report to them before spooling it, so that one over-long
 * value (a Windows path of 5,000 characters, a process name a worm chose) costs that value's
 * tail, counted in {@link Report#getClipped()}, instead of the whole report: an egress report
 * the controller refuses is lost with every window in it.
 *
 * <p>Only sizes are clipped. A report that is wrong in kind (a missing id, a time in the
 * future, an unknown enum value, a host name where an IP belongs) still goes out unchanged and
 * is refused: that is a bug to see, not a size to trim.
 */
public final class ReportLimits {
  /** Longest accepted string, in UTF-16 characters ({@code String.length()}), unless a field has its own limit. */
  public static final int MAX_STRING = 1024;
  /** Longest accepted path-like string. */
  public static final int MAX_PATH = 4096;
  /** Longest accepted free text (a finding's detail, a reason, a message). */
  public static final int MAX_TEXT = 8192;
  /** Longest accepted bytes value. */
  public static final int MAX_BYTES = 4096;
  /** Most elements accepted in any one list without a limit of its own (see {@link #LIST_LIMITS}). */
  public static final int MAX_LIST = 100_000;
  /**
   * Most addresses one report may place on its host, over all interfaces and both families
   * together (each of {@code ipv4} and {@code ipv6} of one interface is also held to it). A lab
   * PC has a handful; a server with containers a few dozen. Address history is written on the
   * controller's single store writer, so a report's addresses bound the writer's work.
   */
  public static final int MAX_ADDRESSES = 256;
  /** Most field paths one {@link ReportClipping} lists. */
  public static final int MAX_CLIPPED_FIELDS = 32;
  /** How far in the future a time may lie (clock skew). */
  public static final Duration MAX_FUTURE = Duration.ofHours(24);
  /**
   * How far ahead a DHCP lease end ({@code NetworkInterface.leases[].lease_end}) may lie: leases
   * of a week or a month are common. The controller never lets a lease end hold an address
   * longer than its own bound anyway (docs/triage.md, "DHCP lease ends").
   */
  public static final Duration MAX_LEASE_AHEAD = Duration.ofDays(400);
  /** Nothing LabScan reports predates this. */
  public static final Instant EARLIEST = Instant.parse("1990-01-01T00:00:00Z");

  /**
   * The limit of each string field with its own, by the field's protobuf name (any message):
   * paths and registry keys, and free text.
   */
  public static final Map<String, Integer> STRING_LIMITS = Map.of(
      "path", MAX_PATH,
      "process_path", MAX_PATH,
      "registry_key", MAX_PATH,
      "root", MAX_PATH,
      "detail", MAX_TEXT,
      "reason", MAX_TEXT,
      "message", MAX_TEXT);

  /**
   * The documented limit of each list in a report (docs/api.md, "Report limits"), by the
   * list's full protobuf name. Each is well above what an honest agent sends: the agent's own
   * caps are 10,000 artifact plus 1,000 mail findings, 100,000 harvested addresses and 100
   * destinations per egress window.
   */
  public static final Map<String, Integer> LIST_LIMITS = Map.ofEntries(
      Map.entry("labscan.v1.Report.av", 64),
      Map.entry("labscan.v1.Report.findings", 12_000),
      Map.entry("labscan.v1.Report.egress", 10_000),
      Map.entry("labscan.v1.HostInventory.interfaces", 64),
      Map.entry("labscan.v1.HostInventory.logged_in_users", 256),
      Map.entry("labscan.v1.NetworkInterface.ipv4", MAX_ADDRESSES),
      Map.entry("labscan.v1.NetworkInterface.ipv6", MAX_ADDRESSES),
      Map.entry("labscan.v1.NetworkInterface.leases", MAX_ADDRESSES),
      Map.entry("labscan.v1.SmtpEgressWindow.destinations", 256),
      Map.entry("labscan.v1.HarvestDigests.digests", 100_000),
      Map.entry("labscan.v1.ScanSummary.skipped", 256),
      Map.entry("labscan.v1.ScanSummary.checks", 256),
      Map.entry("labscan.v1.QuarantineStatus.blocked", 1024),
      Map.entry("labscan.v1.ReportClipping.fields", MAX_CLIPPED_FIELDS));

  private ReportLimits() {}

  /** The longest value {@code field} (a string field) may hold. */
  public static int stringLimit(FieldDescriptor field) {
    return STRING_LIMITS.getOrDefault(field.getName(), MAX_STRING);
  }

  /** The most elements {@code field} (a repeated or map field) may hold. */
  public static int listLimit(FieldDescriptor field) {
    return LIST_LIMITS.getOrDefault(field.getFullName(), MAX_LIST);
  }

  /**
   * {@code report} within every size limit: over-long strings keep their head and tail around
   * an ellipsis (both ends of a path say something: the drive and folder, the file name), over-
   * long bytes and lists keep their start, and addresses beyond {@link #MAX_ADDRESSES} are
   * dropped from the last interfaces. The same report when nothing is over; otherwise a copy
   * whose {@code clipped} says how many values were cut and in which fields (added to any
   * clipping the report already records).
   */
  public static Report clip(Report report) {
    requireNonNull(report, "report");
    Cuts cuts = new Cuts();
    Report clipped = (Report) clip(report, "report", cuts);
    if (clipped.hasInventory()) {
      clipped = clipAddresses(clipped, cuts);
    }
    if (cuts.values == 0) {
      return report;
    }
    ReportClipping.Builder record = clipped.getClipped().toBuilder().setValues(clipped.getClipped().getValues() + cuts.values);
    Set<String> fields = new LinkedHashSet<>(record.getFieldsList());
    fields.addAll(cuts.fields);
    record.clearFields();
    fields.stream().limit(MAX_CLIPPED_FIELDS).forEach(record::addFields);
    return clipped.toBuilder().setClipped(record).build();
  }

  /** {@code s} in at most {@code limit} characters: head, an ellipsis, tail; no surrogate pair split. */
  public static String shorten(String s, int limit) {
    requireNonNull(s, "s");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    if (s.length() <= limit) {
      return s;
    }
    int head = (limit - 1) / 2;
    int tailStart = s.length() - (limit - 1 - head);
    if (head > 0 && Character.isHighSurrogate(s.charAt(head - 1))) {
      head--;
    }
    if (tailStart < s.length() && Character.isLowSurrogate(s.charAt(tailStart))) {
      tailStart++;
    }
    return s.substring(0, head) + "\u2026" + s.substring(tailStart);
  }

  private static final class Cuts {
    long values;
    final Set<String> fields = new LinkedHashSet<>();

    void cut(String path, long n) {
      values += n;
      fields.add(path);
    }
  }

  private static Message clip(Message message, String path, Cuts cuts) {
    if (message instanceof Timestamp) {
      return message;
    }
    Message.Builder builder = null;
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      String fieldPath = path + "." + field.getName();
      if (field.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        int limit = listLimit(field);
        int keep = Math.min(values.size(), limit);
        boolean changed = keep < values.size();
        Object[] kept = new Object[keep];
        for (int i = 0; i < keep; i++) {
          kept[i] = clipValue(field, values.get(i), fieldPath, cuts);
          changed |= kept[i] != values.get(i);
        }
        if (keep < values.size()) {
          cuts.cut(fieldPath, values.size() - keep);
        }
        if (changed) {
          builder = builder == null ? message.toBuilder() : builder;
          builder.clearField(field);
          for (Object v : kept) {
            builder.addRepeatedField(field, v);
          }
        }
      } else {
        Object value = clipValue(field, e.getValue(), fieldPath, cuts);
        if (value != e.getValue()) {
          builder = builder == null ? message.toBuilder() : builder;
          builder.setField(field, value);
        }
      }
    }
    return builder == null ? message : builder.build();
  }

  /** The value clipped, or the very same object when it is within its limit. */
  private static Object clipValue(FieldDescriptor field, Object value, String path, Cuts cuts) {
    if (value instanceof Message m) {
      return clip(m, path, cuts);
    }
    if (value instanceof String s) {
      int limit = stringLimit(field);
      if (s.length() > limit) {
        cuts.cut(path, 1);
        return shorten(s, limit);
      }
    } else if (value instanceof ByteString b && b.size() > MAX_BYTES) {
      cuts.cut(path, 1);
      return b.substring(0, MAX_BYTES);
    }
    return value;
  }

  private static Report clipAddresses(Report report, Cuts cuts) {
    HostInventory inventory = report.getInventory();
    int total = 0;
    for (NetworkInterface nif : inventory.getInterfacesList()) {
      total += nif.getIpv4Count() + nif.getIpv6Count();
    }
    if (total <= MAX_ADDRESSES) {
      return report;
    }
    HostInventory.Builder b = inventory.toBuilder();
    int room = MAX_ADDRESSES;
    for (int i = 0; i < b.getInterfacesCount(); i++) {
      NetworkInterface nif = b.getInterfaces(i);
      int v4 = Math.min(nif.getIpv4Count(), room);
      room -= v4;
      int v6 = Math.min(nif.getIpv6Count(), room);
      room -= v6;
      if (v4 < nif.getIpv4Count() || v6 < nif.getIpv6Count()) {
        b.setInterfaces(i, nif.toBuilder().clearIpv4().addAllIpv4(nif.getIpv4List().subList(0, v4))
            .clearIpv6().addAllIpv6(nif.getIpv6List().subList(0, v6)));
      }
    }
    cuts.cut("report.inventory.interfaces", total - MAX_ADDRESSES);
    return report.toBuilder().setInventory(b).build();
  }
}
