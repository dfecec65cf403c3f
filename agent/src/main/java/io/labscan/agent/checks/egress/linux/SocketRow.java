package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.TcpState;

/**
 * One row of {@code /proc/net/tcp} or {@code /proc/net/tcp6}.
 *
 * @param uid owner uid of the socket as the kernel prints it (0 for TIME_WAIT rows, which
 *     have no owner)
 * @param inode socket inode, 0 when the socket has no file any more (TIME_WAIT, request socks)
 */
public record SocketRow(Endpoint local, Endpoint remote, TcpState state, long uid, long inode) {
  public SocketRow {
    requireNonNull(local, "local");
    requireNonNull(remote, "remote");
    requireNonNull(state, "state");
  }

  /** True when the row names a socket file whose owning process can be looked up. */
  public boolean hasOwnerInode() {
    return inode != 0;
  }
}
