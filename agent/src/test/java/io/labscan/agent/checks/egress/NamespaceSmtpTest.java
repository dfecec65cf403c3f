package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.checks.egress.linux.NftablesEventSource;
import io.labscan.agent.checks.egress.linux.NftablesRules;
import io.labscan.agent.checks.egress.linux.ProcNetTcpSource;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.Requirements;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Real port-25 sessions inside a private network namespace (its own loopback only: no
 * packet can leave the machine). Needs root, {@code ip} (iproute2), {@code python3} for the
 * SMTP-like peer, and for event mode {@code nft} (nftables) and {@code /dev/kmsg}. Skipped,
 * with the reason, where the machine refuses namespaces.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NamespaceSmtpTest {
  private static final Duration PATIENCE = Duration.ofSeconds(15);
  private static final Path LOG_ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");
  private static NetNs ns;

  /** Listens on 127.0.0.1:25, holds one client session open until a line arrives on stdin. */
  private static final String HOLD_SESSION = """
      import os, socket, sys
      srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      srv.bind(('127.0.0.1', 25)); srv.listen(8)
      cli = socket.create_connection(('127.0.0.1', 25)); conn, _ = srv.accept()
      print(os.getpid(), cli.getsockname()[1], flush=True)
      sys.stdin.readline()
      conn.close(); cli.close(); srv.close()
      """;

  /** Five SMTP-like sessions of a few milliseconds: banner, QUIT, 221, the server closes first. */
  private static final String SHORT_SESSIONS = """
      import socket
      srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
      srv.bind(('127.0.0.1', 25)); srv.listen(8)
      for i in range(5):
          cli = socket.create_connection(('127.0.0.1', 25)); conn, _ = srv.accept()
          conn.sendall(b'220 test ESMTP\\r\\n'); cli.recv(100)
          cli.sendall(b'QUIT\\r\\n'); conn.recv(100)
          conn.sendall(b'221 bye\\r\\n'); conn.close()
          cli.recv(100); cli.close()
      srv.close()
      print('done', flush=True)
      """;

  @BeforeAll
  static void namespace() throws Exception {
    Requirements.root("network namespaces for the SMTP tests");
    Requirements.command("ip", "iproute2");
    Requirements.command("python3", "python3");
    try {
      ns = NetNs.create();
    } catch (IOException e) {
      Requirements.kernelFeature("network namespaces", Optional.of(String.valueOf(e.getMessage())));
    }
  }

  @AfterAll
  static void removeNamespace() throws IOException {
    if (ns != null) {
      ns.close();
    }
  }

  private static EgressPolicy port25() {
    return EgressTestData.policy().withPorts(Set.of(25)).withIncludeLoopback(true)
        .withSamplePeriod(Duration.ofMillis(50));
  }

  @Test
  void namespaceIsReadThroughNetlinkOpenedInsideIt() throws Exception {
    Process peer = ns.start(List.of(NetNs.python(), "-c", HOLD_SESSION));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
      String[] ready = out.readLine().trim().split(" ");
      long pid = Long.parseLong(ready[0]);
      int clientPort = Integer.parseInt(ready[1]);
      try (ProcNetTcpSource source = ProcNetTcpSource.inNetworkNamespaceOf(pid)) {

        List<ConnectionObservation> sample = source.sample(Set.of(25));

        assertThat(source.name()).startsWith("netlink-sock-diag(");
        assertThat(sample).singleElement().satisfies(o -> {
          assertThat(o.local().port()).isEqualTo(clientPort);
          assertThat(o.owner().pid()).isEqualTo(pid);
        });
      }
    } finally {
      try (OutputStream in = peer.getOutputStream()) {
        in.write('\n');
      } catch (IOException e) {
        // already gone
      }
      peer.waitFor(10, TimeUnit.SECONDS);
      peer.destroyForcibly();
    }
  }

  @Test
  void pollAttributesAPort25SessionToTheProcessInTheNamespace() throws Exception {
    Process peer = ns.start(List.of(NetNs.python(), "-c", HOLD_SESSION));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
      String[] ready = out.readLine().trim().split(" ");
      long pid = Long.parseLong(ready[0]);
      int clientPort = Integer.parseInt(ready[1]);
      EgressWatcher watcher = new EgressWatcher(port25(), ProcNetTcpSource.inNetworkNamespaceOf(pid),
          Optional.empty(), Clock.systemUTC());

      watcher.tick();

      List<SmtpEgressWindow> windows = watcher.stopAndDrainAll();
      assertThat(windows).hasSize(1);
      SmtpEgressWindow w = windows.get(0);
      assertThat(w.getPid()).isEqualTo(pid);
      assertThat(w.getProcessName()).startsWith("python");
      assertThat(w.getUser()).isEqualTo("root");
      assertThat(w.getDestinationsList()).singleElement()
          .satisfies(d -> assertThat(d.getIp() + ":" + d.getPort()).isEqualTo("127.0.0.1:25"));
      assertThat(w.getStates().getEstablished()).isEqualTo(1);
      assertThat(clientPort).isPositive();
    } finally {
      try (OutputStream in = peer.getOutputStream()) {
        in.write('\n');
      } catch (IOException e) {
        // already gone
      }
      if (!peer.waitFor(10, TimeUnit.SECONDS)) {
        peer.destroyForcibly();
      }
    }
  }

  @Test
  void eventModeCatchesEverySessionOfAFewMilliseconds() throws Exception {
    Requirements.command("nft", "nftables");
    Requirements.that(Files.isReadable(Path.of("/dev/kmsg")), "a readable /dev/kmsg for event mode",
        "run as root (sudo .ci/run)");
    Requirements.that(Files.isWritable(LOG_ALL_NETNS), "a writable " + LOG_ALL_NETNS + " for event mode in a namespace",
        "run as root on a kernel with nf_log_syslog (sudo .ci/run)");
    String before = Files.readString(LOG_ALL_NETNS).strip();
    String table = "labscan_t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    String prefix = "lst-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + " ";
    EgressWatcher watcher = null;
    try {
      // Outside the initial namespace the kernel logs only with this switch on.
      Files.writeString(LOG_ALL_NETNS, "1");
      NftablesEventSource events = NftablesEventSource.viaCommandPrefix(ns.prefix(), table, prefix, Set.of(25));
      // The sampler runs in this JVM's namespace: it cannot see the sessions, only the events can.
      watcher = EgressWatcher.start(port25(), ProcNetTcpSource.system(), Optional.of(events), Clock.systemUTC());
      assertThat(watcher.eventSourceRunning()).isTrue();
      assertThat(ns.exec(List.of("nft", "list", "table", "inet", table)).output()).contains(prefix.strip());

      NetNs.Result sessions = ns.exec(List.of(NetNs.python(), "-c", SHORT_SESSIONS));
      assertThat(sessions.output()).contains("done");

      EgressWatcher w = watcher;
      SmtpEgressWindow window = await().atMost(PATIENCE).until(
          () -> w.snapshot().stream().filter(x -> x.getSource().equals("event")).findFirst(),
          o -> o.isPresent() && o.get().getConnections() == 5).orElseThrow();
      assertThat(window.getUser()).isEqualTo("root");
      assertThat(window.getUnattributed()).isTrue();
      assertThat(window.getDestinationsList()).singleElement()
          .satisfies(d -> assertThat(d.getIp() + ":" + d.getPort() + "x" + d.getConnections())
              .isEqualTo("127.0.0.1:25x5"));
      assertThat(window.getStates().getSynSent()).isEqualTo(5);

      watcher.close();
      watcher = null;
      assertThat(ns.exec(List.of("nft", "list", "tables")).output()).doesNotContain(table);
    } finally {
      Files.writeString(LOG_ALL_NETNS, before);
      if (watcher != null) {
        watcher.close();
      }
      new NftablesRules(ns.prefix(), table, prefix, Set.of(25)).remove(); // idempotent
    }
  }
}
