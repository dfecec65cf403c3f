package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.TcpState;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Parser for the text of {@code /proc/net/tcp} and {@code /proc/net/tcp6}. Pure and total:
 * a line that is not a well-formed socket row is skipped and counted, never thrown on.
 *
 * <p>Row shape ({@code net/ipv4/tcp_ipv4.c}, {@code net/ipv6/tcp_ipv6.c}):
 * <pre>
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
 *    0: 0100007F:0019 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 ...
 * </pre>
 * Addresses are 8 (IPv4) or 32 (IPv6) hex digits: the kernel prints each 32-bit word of the
 * network-order address as a host-order integer, so on little-endian machines every group
 * of four bytes comes out reversed ({@code 0100007F} is 127.0.0.1). Ports and states are
 * plain hex; uid and inode are decimal.
 */
public final class ProcNetTcpParser {
  /** Rows of one file and the number of non-header lines that were not valid rows. */
  public record Parsed(List<SocketRow> rows, int skippedLines) {
    public Parsed {
      rows = List.copyOf(rows);
    }
  }

  private static final int MAX_TOKENS = 10;

  private ProcNetTcpParser() {}

  /** Parses every row, whatever its remote port; words are in the given byte order. */
  public static Parsed parse(String text, ByteOrder wordOrder) {
    return parse(text, wordOrder, port -> true);
  }

  /**
   * Parses the rows whose remote port passes {@code remotePort}. Rows filtered out by port
   * are neither returned nor counted as skipped. The port is checked before the addresses
   * are decoded, so a file with no matching row costs one pass over its text.
   */
  public static Parsed parse(String text, ByteOrder wordOrder, IntPredicate remotePort) {
    requireNonNull(text, "text");
    requireNonNull(wordOrder, "wordOrder");
    requireNonNull(remotePort, "remotePort");
    List<SocketRow> rows = new ArrayList<>();
    int skipped = 0;
    int start = 0;
    int n = text.length();
    while (start < n) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = n;
      }
      if (classify(text, start, end, wordOrder, remotePort, rows) == Outcome.SKIPPED) {
        skipped++;
      }
      start = end + 1;
    }
    return new Parsed(rows, skipped);
  }

  /**
   * Streaming form for the live files, which can be large on busy servers: reads line by
   * line and keeps at most {@code maxRows} matching rows (the rest are counted as skipped).
   */
  public static Parsed parse(BufferedReader in, ByteOrder wordOrder, IntPredicate remotePort, int maxRows)
      throws IOException {
    requireNonNull(in, "in");
    requireNonNull(wordOrder, "wordOrder");
    requireNonNull(remotePort, "remotePort");
    List<SocketRow> rows = new ArrayList<>();
    int skipped = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (rows.size() >= maxRows) {
        skipped++;
        continue;
      }
      if (classify(line, 0, line.length(), wordOrder, remotePort, rows) == Outcome.SKIPPED) {
        skipped++;
      }
    }
    return new Parsed(rows, skipped);
  }

  /**
   * Parses one line. Empty for the header, blank lines, malformed lines, and rows whose
   * remote port fails {@code remotePort}; {@link #isRowOrBlank} tells those apart.
   */
  public static Optional<SocketRow> parseLine(String line, ByteOrder wordOrder, IntPredicate remotePort) {
    requireNonNull(line, "line");
    List<SocketRow> out = new ArrayList<>(1);
    classify(line, 0, line.length(), wordOrder, remotePort, out);
    return out.isEmpty() ? Optional.empty() : Optional.of(out.get(0));
  }

  /** True unless {@code line} is garbage: header, blank, and well-formed rows are fine. */
  public static boolean isRowOrBlank(String line, ByteOrder wordOrder) {
    return classify(line, 0, line.length(), wordOrder, p -> false, new ArrayList<>(0)) != Outcome.SKIPPED;
  }

  private enum Outcome { ROW, FILTERED, IGNORED, SKIPPED }

  private static Outcome classify(String text, int from, int to, ByteOrder order, IntPredicate remotePort,
      List<SocketRow> out) {
    int[] starts = new int[MAX_TOKENS];
    int[] ends = new int[MAX_TOKENS];
    int count = 0;
    int i = from;
    while (i < to && count < MAX_TOKENS) {
      while (i < to && isSpace(text.charAt(i))) {
        i++;
      }
      if (i >= to) {
        break;
      }
      starts[count] = i;
      while (i < to && !isSpace(text.charAt(i))) {
        i++;
      }
      ends[count++] = i;
    }
    if (count == 0) {
      return Outcome.IGNORED;
    }
    if (count >= 2 && text.startsWith("local_address", starts[1])) {
      return Outcome.IGNORED; // the header line
    }
    if (count < MAX_TOKENS || !isSlot(text, starts[0], ends[0])) {
      return Outcome.SKIPPED;
    }
    int remoteColon = text.indexOf(':', starts[2]);
    if (remoteColon < 0 || remoteColon >= ends[2]) {
      return Outcome.SKIPPED;
    }
    long remotePortValue = hex(text, remoteColon + 1, ends[2], 4);
    if (remotePortValue < 0) {
      return Outcome.SKIPPED;
    }
    if (!remotePort.test((int) remotePortValue)) {
      // Only validate the rest when the caller wants the row: a cheap pass for the common case.
      return Outcome.FILTERED;
    }
    Optional<Endpoint> local = endpoint(text, starts[1], ends[1], order);
    Optional<Endpoint> remote = endpoint(text, starts[2], ends[2], order);
    long stateCode = ends[3] - starts[3] == 2 ? hex(text, starts[3], ends[3], 2) : -1;
    Optional<TcpState> state = TcpState.fromCode((int) stateCode);
    long uid = decimal(text, starts[7], ends[7]);
    long inode = decimal(text, starts[9], ends[9]);
    if (local.isEmpty() || remote.isEmpty() || state.isEmpty() || uid < 0 || uid > 0xffffffffL || inode < 0) {
      return Outcome.SKIPPED;
    }
    out.add(new SocketRow(local.get(), remote.get(), state.get(), uid, inode));
    return Outcome.ROW;
  }

  /** {@code "12:"}: the slot number column. */
  private static boolean isSlot(String text, int start, int end) {
    return end - start >= 2 && text.charAt(end - 1) == ':' && decimal(text, start, end - 1) >= 0;
  }

  private static Optional<Endpoint> endpoint(String text, int start, int end, ByteOrder order) {
    int colon = text.indexOf(':', start);
    if (colon < 0 || colon >= end) {
      return Optional.empty();
    }
    int hexDigits = colon - start;
    if (hexDigits != 8 && hexDigits != 32) {
      return Optional.empty();
    }
    byte[] address = new byte[hexDigits / 2];
    for (int word = 0; word < hexDigits / 8; word++) {
      long v = hex(text, start + word * 8, start + word * 8 + 8, 8);
      if (v < 0) {
        return Optional.empty();
      }
      for (int b = 0; b < 4; b++) {
        // Little-endian words print their lowest-address byte last.
        int shift = order == ByteOrder.LITTLE_ENDIAN ? 8 * b : 8 * (3 - b);
        address[word * 4 + b] = (byte) (v >>> shift);
      }
    }
    long port = hex(text, colon + 1, end, 4);
    return port < 0 ? Optional.empty() : Endpoint.of(address, (int) port);
  }

  /** Hex value of text[start, end), at most {@code maxDigits} digits; -1 when invalid. */
  private static long hex(String text, int start, int end, int maxDigits) {
    if (end <= start || end - start > maxDigits) {
      return -1;
    }
    long v = 0;
    for (int i = start; i < end; i++) {
      int d = Character.digit(text.charAt(i), 16);
      if (d < 0 || text.charAt(i) > 'f') {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }

  /** Decimal value of text[start, end), at most 19 digits; -1 when invalid. */
  private static long decimal(String text, int start, int end) {
    if (end <= start || end - start > 18) {
      return -1;
    }
    long v = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r';
  }
}
