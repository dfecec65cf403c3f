package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tcp} and {@code tcp6} under a {@code net} folder of the proc filesystem. Works for
 * any network namespace ({@code /proc/<pid>/net}) and needs no rights, but the kernel walks
 * its whole established-socket hash table to print each file, which costs milliseconds on a
 * machine with much memory (the table is sized by RAM): see docs/PERFORMANCE.md.
 */
public final class ProcNetTcpTable implements SocketTable {
  /** Bound on rows kept from one file, so a flood cannot exhaust memory. */
  static final int MAX_ROWS_PER_FILE = 65_536;

  private final Path netDir;
  private final ByteOrder wordOrder;

  /**
   * @param netDir the folder holding {@code tcp} and {@code tcp6}
   * @param wordOrder the kernel's byte order (the machine's native order)
   */
  public ProcNetTcpTable(Path netDir, ByteOrder wordOrder) {
    this.netDir = requireNonNull(netDir, "netDir");
    this.wordOrder = requireNonNull(wordOrder, "wordOrder");
  }

  @Override
  public String name() {
    return "proc-net-tcp";
  }

  @Override
  public Rows read(Set<Integer> remotePorts) throws IOException {
    Set<Integer> ports = Set.copyOf(remotePorts);
    List<SocketRow> rows = new ArrayList<>();
    long skipped = 0;
    boolean anyTable = false;
    for (String table : List.of("tcp", "tcp6")) {
      Optional<ProcNetTcpParser.Parsed> parsed = read(netDir.resolve(table), ports);
      if (parsed.isPresent()) {
        anyTable = true;
        rows.addAll(parsed.get().rows());
        skipped += parsed.get().skippedLines();
      }
    }
    if (!anyTable) {
      throw new NoSuchFileException(netDir.resolve("tcp").toString(), null, "no TCP socket table");
    }
    return new Rows(rows, skipped);
  }

  private Optional<ProcNetTcpParser.Parsed> read(Path table, Set<Integer> ports) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
      return Optional.of(ProcNetTcpParser.parse(in, wordOrder, ports::contains, MAX_ROWS_PER_FILE));
    } catch (NoSuchFileException e) {
      return Optional.empty(); // no tcp6 when IPv6 is disabled
    } catch (MalformedInputException e) {
      throw new IOException(table + " is not ASCII: " + e.getMessage(), e);
    }
  }
}
