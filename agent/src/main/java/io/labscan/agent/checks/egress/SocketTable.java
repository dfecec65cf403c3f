package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * The kernel's TCP socket table as one read gives it: the rows to watched remote ports. Linux
 * has two ways to ask: {@link NetlinkSocketTable} (sock_diag, what {@code ss} uses) and
 * {@link ProcNetTcpTable} ({@code /proc/net/tcp{,6}}, text).
 */
public interface SocketTable extends AutoCloseable {
  /** Short name for logs, e.g. "netlink-sock-diag". */
  String name();

  /**
   * The rows whose remote port is in {@code remotePorts}, in any state.
   *
   * @throws IOException when the table cannot be read at all
   */
  Rows read(Set<Integer> remotePorts) throws IOException;

  /** Releases what the table keeps open between reads (a netlink socket); nothing by default. */
  @Override
  default void close() {}

  /**
   * @param rows the matching rows (bounded by the implementation)
   * @param skipped entries that were not valid rows
   */
  record Rows(List<SocketRow> rows, long skipped) {
    public Rows {
      rows = List.copyOf(requireNonNull(rows, "rows"));
    }
  }
}
