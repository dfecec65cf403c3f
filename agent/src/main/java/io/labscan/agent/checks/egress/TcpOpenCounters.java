package io.labscan.agent.checks.egress;

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

  TcpOpenCounters(Path snmpFile) {
    this.snmpFile = requireNonNull(snmpFile, "snmpFile");
  }

  /** The sum, or empty when the file cannot be read or holds no such counters. */
  @Override
  public OptionalLong get() {
    try (InputStream in = Files.newInputStream(snmpFile)) {
      return parse(new String(in.readNBytes(MAX_BYTES), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * ActiveOpens + PassiveOpens from the text of an snmp file: a {@code Tcp:} line of names,
   * then one of values in the same order. Empty when either is missing or not a number.
   */
  static OptionalLong parse(String snmp) {
    String[] names = null;
    for (String line : snmp.split("\n")) {
      if (!line.startsWith("Tcp:")) {
        continue;
      }
      String[] fields = line.substring(4).trim().split("\\s+");
      if (names == null) {
        names = fields;
        continue;
      }
      return sum(names, fields);
    }
    return OptionalLong.empty();
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
