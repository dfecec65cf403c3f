package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** sock_diag against the running kernel, on a loopback connection of this JVM. */
@EnabledOnOs(OS.LINUX)
class NetlinkSocketTableTest {
  @Test
  void seesAnEstablishedLoopbackConnectionExactlyAsProcNetTcpDoes() throws IOException {
    Optional<NetlinkSocketTable> netlink = NetlinkSocketTable.probe();
    assumeTrue(netlink.isPresent(), "netlink sock_diag is not available on this machine");
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      Set<Integer> port = Set.of(server.getLocalPort());

      SocketTable.Rows fromNetlink = netlink.get().read(port);
      SocketTable.Rows fromProc = new ProcNetTcpTable(Path.of("/proc/net"), ByteOrder.nativeOrder()).read(port);

      assertThat(fromNetlink.rows()).singleElement().satisfies(r -> {
        assertThat(r.local().port()).isEqualTo(client.getLocalPort());
        assertThat(r.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(r.hasOwnerInode()).isTrue();
      });
      assertThat(fromNetlink.rows()).containsExactlyElementsOf(fromProc.rows());
      assertThat(accepted.isConnected()).isTrue();
    }
  }

  @Test
  void kernelFilterLeavesOutConnectionsToOtherPorts() throws IOException {
    Optional<NetlinkSocketTable> netlink = NetlinkSocketTable.probe();
    assumeTrue(netlink.isPresent(), "netlink sock_diag is not available on this machine");
    try (ServerSocket watched = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        ServerSocket other = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket toWatched = new Socket(InetAddress.getLoopbackAddress(), watched.getLocalPort());
        Socket toOther = new Socket(InetAddress.getLoopbackAddress(), other.getLocalPort())) {

      SocketTable.Rows rows = netlink.get().read(Set.of(watched.getLocalPort(), 1));

      assertThat(rows.rows()).extracting(r -> r.local().port()).containsExactly(toWatched.getLocalPort());
      assertThat(toOther.isConnected()).isTrue();
    }
  }

  @Test
  void systemSourceNamesTheTableItReads() {
    assumeTrue(NetlinkSocketTable.probe().isPresent(), "netlink sock_diag is not available on this machine");

    assertThat(ProcNetTcpSource.system().name()).isEqualTo("netlink-sock-diag");
  }
}
