package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.TcpState;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

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

  /**
   * The rows whose remote port is in {@code remotePorts} and whose state is in {@code states}.
   * A table that can ask the kernel for some states only (netlink's state mask) overrides
   * this, so the rows left out are never copied nor parsed; by default the rows are read and
   * filtered here.
   *
   * @throws IOException when the table cannot be read at all
   */
  default Rows read(Set<Integer> remotePorts, Set<TcpState> states) throws IOException {
    requireNonNull(states, "states");
    Rows all = read(remotePorts);
    return new Rows(all.rows().stream().filter(r -> states.contains(r.state())).collect(Collectors.toList()),
        all.skipped());
  }

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
