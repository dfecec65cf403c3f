package io.labscan.controller.alert;

import io.labscan.controller.verdict.Verdict;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats alerts as RFC 5424 syslog messages:
 * {@code <PRI>1 TIMESTAMP HOST labscan-controller PID verdict [labscan@32473 hostId="…" hostname="…" verdict="…"] BOM summary}.
 * Facility local0; severity critical for INFECTED, warning for SUSPECTED. The structured-data
 * id uses the enterprise number RFC 5612 reserves for documentation: sites may rewrite it.
 */
public final class SyslogMessage {
  static final int FACILITY_LOCAL0 = 16;
  static final int SEVERITY_CRITICAL = 2;
  static final int SEVERITY_WARNING = 4;
  static final int SEVERITY_NOTICE = 5;
  /** RFC 5426 receivers must accept 480 bytes and should accept 2048. */
  public static final int MAX_BYTES = 2048;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);

  private final String hostname;
  private final String procId;

  public SyslogMessage(String hostname) {
    this.hostname = header(hostname, 255);
    this.procId = header(Long.toString(ProcessHandle.current().pid()), 128);
  }

  static SyslogMessage forThisMachine() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      String runtime = ManagementFactory.getRuntimeMXBean().getName();
      int at = runtime.indexOf('@');
      name = at >= 0 ? runtime.substring(at + 1) : "-";
    }
    return new SyslogMessage(name);
  }

  public byte[] format(Alert alert) {
    int severity = alert.kind() == Alert.Kind.TWO_KEYS || alert.verdict() == Verdict.INFECTED ? SEVERITY_CRITICAL
        : alert.verdict() == Verdict.SUSPECTED ? SEVERITY_WARNING : SEVERITY_NOTICE;
    String msgId = alert.kind() == Alert.Kind.VERDICT_CHANGED ? "verdict" : alert.kind().event();
    String head = "<" + (FACILITY_LOCAL0 * 8 + severity) + ">1 " + TIME.format(alert.at()) + " " + hostname
        + " labscan-controller " + procId + " " + msgId + " [labscan@32473 hostId=\"" + param(alert.hostId())
        + "\" hostname=\"" + param(alert.hostname()) + "\" verdict=\"" + alert.verdict().name() + "\"] ";
    byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] msg = oneLine(alert.summary()).getBytes(StandardCharsets.UTF_8);
    int room = Math.max(0, MAX_BYTES - headBytes.length - bom.length);
    int msgLength = cutUtf8(msg, Math.min(room, msg.length));
    byte[] out = new byte[Math.min(MAX_BYTES, headBytes.length) + bom.length + msgLength];
    int headLength = Math.min(MAX_BYTES, headBytes.length);
    System.arraycopy(headBytes, 0, out, 0, headLength);
    System.arraycopy(bom, 0, out, headLength, bom.length);
    System.arraycopy(msg, 0, out, headLength + bom.length, msgLength);
    return out;
  }

  /** Header fields: printable US-ASCII without spaces, or the NILVALUE "-". */
  private static String header(String s, int max) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c > 32 && c < 127 && sb.length() < max) {
        sb.append(c);
      }
    }
    return sb.length() == 0 ? "-" : sb.toString();
  }

  /** SD-PARAM values escape '"', '\' and ']' (RFC 5424 6.3.3); control characters become '?'. */
  private static String param(String s) {
    String cut = s.length() > 255 ? s.substring(0, 255) : s;
    StringBuilder sb = new StringBuilder();
    for (char c : oneLine(cut).toCharArray()) {
      if (c == '"' || c == '\\' || c == ']') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** Endpoint text must not start a forged second log line. */
  private static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
    return sb.toString();
  }

  /** The longest prefix no longer than {@code max} bytes that does not split a UTF-8 sequence. */
  private static int cutUtf8(byte[] bytes, int max) {
    int end = max;
    if (end < bytes.length) {
      while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
        end--;
      }
    }
    return end;
  }

  static String timestamp(Instant at) {
    return TIME.format(at);
  }
}
