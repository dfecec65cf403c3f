package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * How many TCP connections a network namespace has opened so far: {@code ActiveOpens}
 * (every {@code connect()}, counted in the kernel's {@code tcp_connect()} once the socket is in
 * the table) plus {@code PassiveOpens} (every accepted connection), from the {@code Tcp:} lines
 * of {@code /proc/net/snmp} ({@code /proc/<pid>/net/snmp} for another namespace). One counter
 * covers IPv4 and IPv6. When the sum has not moved, no TCP socket has appeared in the
 * namespace, so a sampler that listed no watched socket last time has nothing new to find.
 * Reading it costs one small text file instead of the kernel's walk of its socket table.
 */
final class TcpOpenCounters implements Supplier<OptionalLong> {
  /** Far more than the file ever holds (about 1.5 KiB); the rest is not read. */
  private static final int MAX_BYTES = 16 * 1024;

  private final Path snmpFile;
  /** Reused from one read to the next: this runs on every sample. */
  private final byte[] buffer = new byte[MAX_BYTES];

  TcpOpenCounters(Path snmpFile) {
    this.snmpFile = requireNonNull(snmpFile, "snmpFile");
  }

  /** The sum, or empty when the file cannot be read or holds no such counters. */
  @Override
  public OptionalLong get() {
    try (InputStream in = Files.newInputStream(snmpFile)) {
      int n = in.readNBytes(buffer, 0, buffer.length);
      return parse(buffer, n);
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * ActiveOpens + PassiveOpens from the text of an snmp file: a {@code Tcp:} line of names,
   * then one of values in the same order. Empty when either is missing or not a number.
   */
  static OptionalLong parse(String snmp) {
    byte[] bytes = snmp.getBytes(StandardCharsets.US_ASCII);
    return parse(bytes, bytes.length);
  }

  /** As {@link #parse(String)}, on the first {@code length} bytes of {@code text}; only the two Tcp lines become strings. */
  static OptionalLong parse(byte[] text, int length) {
    int names = lineStartingWithTcp(text, 0, length);
    if (names < 0) {
      return OptionalLong.empty();
    }
    int namesEnd = endOfLine(text, names, length);
    int values = lineStartingWithTcp(text, namesEnd + 1, length);
    if (values < 0) {
      return OptionalLong.empty();
    }
    return sum(fields(text, names, namesEnd), fields(text, values, endOfLine(text, values, length)));
  }

  private static String[] fields(byte[] text, int lineStart, int lineEnd) {
    return new String(text, lineStart + 4, lineEnd - lineStart - 4, StandardCharsets.US_ASCII).trim().split(" +");
  }

  private static int lineStartingWithTcp(byte[] text, int from, int length) {
    for (int at = from; at + 4 <= length; at = endOfLine(text, at, length) + 1) {
      if (text[at] == 'T' && text[at + 1] == 'c' && text[at + 2] == 'p' && text[at + 3] == ':') {
        return at;
      }
    }
    return -1;
  }

  private static int endOfLine(byte[] text, int from, int length) {
    int at = from;
    while (at < length && text[at] != '\n') {
      at++;
    }
    return at;
  }

  private static OptionalLong sum(String[] names, String[] values) {
    long total = 0;
    int found = 0;
    for (int i = 0; i < names.length && i < values.length; i++) {
      if (names[i].equals("ActiveOpens") || names[i].equals("PassiveOpens")) {
        try {
          total += Long.parseUnsignedLong(values[i]);
          found++;
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return found == 2 ? OptionalLong.of(total) : OptionalLong.empty();
  }
}
