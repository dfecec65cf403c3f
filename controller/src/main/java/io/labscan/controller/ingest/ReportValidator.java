package io.labscan.controller.ingest;

import io.labscan.controller.text.LogText;
import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.labscan.contract.net.Addresses;
import io.labscan.contract.report.ReportLimits;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a report may be stored. Agents run on machines a worm controls, so every
 * value is checked: ids, times, counts, enum values, string and list sizes. The first
 * problem is reported with the path of the field, e.g. {@code report.findings[3].path}.
 */
public final class ReportValidator {
  // The limits are the contract's (io.labscan.contract.report.ReportLimits): the agent clips its
  // reports to the same numbers before sending, so only a report that is wrong in kind, or sent
  // by something other than a LabScan agent, meets these refusals.
  /** Longest accepted string, in characters, unless a field has its own limit. */
  public static final int MAX_STRING = ReportLimits.MAX_STRING;
  /** Longest accepted path-like string. */
  public static final int MAX_PATH = ReportLimits.MAX_PATH;
  /** Most elements accepted in any one list without a limit of its own (see {@link #LIST_LIMITS}). */
  public static final int MAX_LIST = ReportLimits.MAX_LIST;
  /** Most addresses one report may place on its host ({@link ReportLimits#MAX_ADDRESSES}). */
  public static final int MAX_ADDRESSES = ReportLimits.MAX_ADDRESSES;
  /** The documented limit of each list in a report ({@link ReportLimits#LIST_LIMITS}). */
  public static final Map<String, Integer> LIST_LIMITS = ReportLimits.LIST_LIMITS;
  /** How far in the future a time may lie (clock skew). */
  public static final Duration MAX_FUTURE = ReportLimits.MAX_FUTURE;
  /** How far ahead a DHCP lease end may lie ({@link ReportLimits#MAX_LEASE_AHEAD}). */
  public static final Duration MAX_LEASE_AHEAD = ReportLimits.MAX_LEASE_AHEAD;
  /** Nothing LabScan reports predates this. */
  public static final Instant EARLIEST = ReportLimits.EARLIEST;

  private static final Pattern IP_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+");

  private final Clock clock;

  public ReportValidator(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  public void validate(Report report) throws InvalidReportException {
    requireNonNull(report, "report");
    requireUuid("report.report_id", report.getReportId());
    if (report.getSequence() <= 0) {
      throw new InvalidReportException("report.sequence", "must be positive, got " + report.getSequence());
    }
    if (!report.hasCreated()) {
      throw new InvalidReportException("report.created", "missing");
    }
    if (!report.hasInventory()) {
      throw new InvalidReportException("report.inventory", "missing");
    }
    requireUuid("report.inventory.host_id", report.getInventory().getHostId());
    if (report.getInventory().getHostname().isBlank()) {
      throw new InvalidReportException("report.inventory.hostname", "missing");
    }
    requirePrintableName("report.inventory.hostname", report.getInventory().getHostname());
    requirePrintableName("report.inventory.fqdn", report.getInventory().getFqdn());
    walk(FieldPath.ROOT, report);
    checkAddresses(report);
  }

  /**
   * Why {@code name} cannot be a host's name, or empty: a control character (C0, DEL, C1: line
   * breaks, terminal escapes), a line or paragraph separator (U+2028, U+2029) or a bidirectional
   * control (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E,
   * U+200F, U+061C). A hostname is printed in the triage answer, the CLI's tables and the logs;
   * no operating system names a machine so, only a forged report does (issue 15, red-team round
   * 7, T8). Look-alike letters and dashes are not refused: {@code HostnameKey} folds them.
   * Shared by the report validator (gRPC and {@code import}) and enrolment.
   */
  public static java.util.Optional<String> hostnameProblem(String name) {
    for (int i = 0; i < name.length(); ) {
      int cp = name.codePointAt(i);
      i += Character.charCount(cp);
      String what = Character.isISOControl(cp) ? "a control character"
          : cp == 0x2028 || cp == 0x2029 ? "a line break"
          : (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F
              || cp == 0x061C ? "a bidirectional control" : null;
      if (what != null) {
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "contains %s (U+%04X); a host's name is"
            + " printed in answers and tables, so it may hold none", what, cp));
      }
    }
    return java.util.Optional.empty();
  }

  private static void requirePrintableName(String path, String name) throws InvalidReportException {
    java.util.Optional<String> problem = hostnameProblem(name);
    if (problem.isPresent()) {
      throw new InvalidReportException(path, problem.get());
    }
  }

  /**
   * Every reported address must be an IP literal of its list's family (an agent that writes a
   * host name, a URL or a 16,000-entry list is refused, the field named), and a report places
   * at most {@link #MAX_ADDRESSES} addresses on its host. Egress destinations must be IP
   * literals too: triage compares them with the MTA that recorded a complaint's origin.
   */
  private static void checkAddresses(Report report) throws InvalidReportException {
    int total = 0;
    List<NetworkInterface> interfaces = report.getInventory().getInterfacesList();
    for (int i = 0; i < interfaces.size(); i++) {
      NetworkInterface nif = interfaces.get(i);
      String at = "report.inventory.interfaces[" + i + "]";
      for (int j = 0; j < nif.getIpv4Count(); j++) {
        requireIp(at + ".ipv4[" + j + "]", nif.getIpv4(j), false);
      }
      for (int j = 0; j < nif.getIpv6Count(); j++) {
        requireIp(at + ".ipv6[" + j + "]", nif.getIpv6(j), true);
      }
      // A lease names one of the interface's own addresses: a lease end for an address the host
      // does not report could only be meant to hold someone else's.
      for (int j = 0; j < nif.getLeasesCount(); j++) {
        String ip = nif.getLeases(j).getIp();
        if (!nif.getIpv4List().contains(ip) && !nif.getIpv6List().contains(ip)) {
          throw new InvalidReportException(at + ".leases[" + j + "].ip",
              "not one of the interface's addresses (\"" + printable(ip) + "\")");
        }
        if (!nif.getLeases(j).hasLeaseEnd()) {
          throw new InvalidReportException(at + ".leases[" + j + "].lease_end", "missing");
        }
      }
      total += nif.getIpv4Count() + nif.getIpv6Count();
      if (total > MAX_ADDRESSES) {
        throw new InvalidReportException("report.inventory.interfaces", "places more than " + MAX_ADDRESSES
            + " addresses on the host (at most " + MAX_ADDRESSES + " per report)");
      }
    }
    for (int i = 0; i < report.getEgressCount(); i++) {
      SmtpEgressWindow window = report.getEgress(i);
      for (int j = 0; j < window.getDestinationsCount(); j++) {
        String ip = window.getDestinations(j).getIp();
        if (!isIp(ip)) {
          throw new InvalidReportException("report.egress[" + i + "].destinations[" + j + "].ip",
              "not an IP address (\"" + printable(ip) + "\")");
        }
      }
    }
  }

  private static boolean dottedQuad(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      // "010" is 10 to Java and 8 to inet_aton(3): a leading zero makes the meaning ambiguous,
      // and no agent writes it, so only a forged report does (issue 15, red-team round 3).
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255
          || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
    }
    return true;
  }

  /**
   * True for a bare IPv4 or IPv6 literal: no brackets, zone id, "IPv6:" prefix or white space.
   * A would-be dotted quad is checked here first: InetAddress takes a text it cannot read as an
   * IPv4 literal (10.20.3.300) for a host name and would ask DNS.
   */
  private static boolean isIp(String value) {
    if (value.length() < 2 || value.length() > 45 || !IP_CHARACTERS.matcher(value).matches()) {
      return false;
    }
    // A dotted quad that passes dottedQuad is an IPv4 literal: parsing it again through InetAddress
    // was most of the validator's cost for a report of 1,000 egress windows x 150 destinations
    // (0.6 s of CPU warm, 1.9 s cold, measured in issue 15's red-team round 3).
    return value.indexOf(':') >= 0 ? Addresses.canonical(value).isPresent() : dottedQuad(value);
  }

  /**
   * The family is that of the parsed address, not of the spelling: {@code ::ffff:10.20.3.17}
   * parses (and is stored) as the IPv4 address 10.20.3.17, so it is refused in the IPv6 list
   * just as 10.20.3.17 is (issue 15, red-team round 3).
   */
  private static void requireIp(String path, String value, boolean v6) throws InvalidReportException {
    if (!isIp(value) || (value.indexOf(':') >= 0) != v6) {
      throw new InvalidReportException(path, "not an " + (v6 ? "IPv6" : "IPv4") + " address (\""
          + printable(value) + "\")");
    }
    String parsed = Addresses.canonical(value).orElseThrow();
    if ((parsed.indexOf(':') >= 0) != v6) {
      throw new InvalidReportException(path, "not an IPv6 address: \"" + printable(value)
          + "\" is the IPv4 address " + parsed + " (an IPv4-mapped form); report it in the ipv4 list");
    }
  }


  /**
   * Where a value sits in the report, e.g. {@code report.findings[3].path}. Spelled out only
   * when a value is refused: building the text for every valid field was a large part of the
   * validation's cost on the gRPC threads.
   */
  private record FieldPath(@Nullable FieldPath parent, String name, int index) {
    static final FieldPath ROOT = new FieldPath(null, "report", -1);

    FieldPath field(String fieldName) {
      return new FieldPath(this, fieldName, -1);
    }

    FieldPath element(int i) {
      return new FieldPath(parent, name, i);
    }

    @Override
    public String toString() {
      String self = index < 0 ? name : name + "[" + index + "]";
      return parent == null ? self : parent + "." + self;
    }
  }

  /** Checks every field of {@code message} recursively. */
  private void walk(FieldPath path, Message message) throws InvalidReportException {
    if (!message.getUnknownFields().asMap().isEmpty()) {
      throw new InvalidReportException(path.toString(), "carries fields unknown to this controller (numbers "
          + message.getUnknownFields().asMap().keySet() + ")");
    }
    if (message instanceof Timestamp ts) {
      checkTime(path, ts);
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      FieldPath fieldPath = path.field(field.getName());
      if (field.isMapField()) {
        List<?> entries = (List<?>) e.getValue();
        checkListSize(fieldPath, field, entries.size());
        for (Object entry : entries) {
          Message m = (Message) entry;
          for (Map.Entry<FieldDescriptor, Object> kv : m.getAllFields().entrySet()) {
            checkScalar(fieldPath, kv.getKey(), kv.getValue());
          }
        }
      } else if (field.isRepeated()) {
        List<?> values = (List<?>) e.getValue();
        checkListSize(fieldPath, field, values.size());
        for (int i = 0; i < values.size(); i++) {
          checkValue(fieldPath.element(i), field, values.get(i));
        }
      } else {
        checkValue(fieldPath, field, e.getValue());
      }
    }
  }

  private void checkValue(FieldPath path, FieldDescriptor field, Object value) throws InvalidReportException {
    if (value instanceof Message m) {
      walk(path, m);
    } else {
      checkScalar(path, field, value);
    }
  }

  private static void checkScalar(FieldPath path, FieldDescriptor field, Object value)
      throws InvalidReportException {
    switch (field.getJavaType()) {
      case STRING -> {
        String s = (String) value;
        int limit = ReportLimits.stringLimit(field);
        if (s.length() > limit) {
          throw new InvalidReportException(path.toString(), "longer than " + limit + " characters (" + s.length() + ")");
        }
      }
      case INT, LONG -> {
        long v = ((Number) value).longValue();
        if (v < 0) {
          throw new InvalidReportException(path.toString(), "must not be negative, got " + v);
        }
      }
      case ENUM -> {
        EnumValueDescriptor ev = (EnumValueDescriptor) value;
        if (ev.getIndex() < 0 || ev.getType().findValueByNumber(ev.getNumber()) == null) {
          throw new InvalidReportException(path.toString(), "unknown enum value " + ev.getNumber());
        }
      }
      case BYTE_STRING -> {
        int size = ((com.google.protobuf.ByteString) value).size();
        if (size > ReportLimits.MAX_BYTES) {
          throw new InvalidReportException(path.toString(), "longer than " + ReportLimits.MAX_BYTES + " bytes ("
              + size + ")");
        }
      }
      default -> {
        // booleans, floats: any value is possible
      }
    }
  }

  private void checkTime(FieldPath path, Timestamp ts) throws InvalidReportException {
    if (!Timestamps.isValid(ts)) {
      throw new InvalidReportException(path.toString(), "not a valid timestamp");
    }
    Instant t = Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos());
    boolean leaseEnd = "lease_end".equals(path.name());
    if (t.isAfter(clock.instant().plus(leaseEnd ? MAX_LEASE_AHEAD : MAX_FUTURE))) {
      throw new InvalidReportException(path.toString(), "lies in the future (" + t + ")");
    }
    if (t.isBefore(EARLIEST)) {
      throw new InvalidReportException(path.toString(), "lies before " + EARLIEST + " (" + t + ")");
    }
  }

  private static void checkListSize(FieldPath path, FieldDescriptor field, int size) throws InvalidReportException {
    int limit = ReportLimits.listLimit(field);
    if (size > limit) {
      throw new InvalidReportException(path.toString(), "has " + size + " elements; at most " + limit + " are accepted");
    }
  }

  private static void requireUuid(String path, String value) throws InvalidReportException {
    if (value.isEmpty()) {
      throw new InvalidReportException(path, "missing");
    }
    try {
      if (value.length() != 36 || !UUID.fromString(value).toString().equals(value)) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidReportException(path, "not a lower-case UUID (\"" + printable(value) + "\")");
    }
  }

  private static String printable(String s) {
    return LogText.of(s, 40);
  }
}
