package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.checks.egress.linux.ProcNetTcpSource;
import io.labscan.agent.checks.egress.portable.OshiConnectionSource;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The Linux sampler on real sockets of this JVM. The listener takes an ephemeral port on
 * 127.0.0.1 and the policy watches that port with loopback included, so nothing leaves
 * the machine and no privileged port is needed.
 */
@EnabledOnOs(OS.LINUX)
class LoopbackSocketEgressTest {
  private static final Duration PATIENCE = Duration.ofSeconds(10);

  private ServerSocket server;
  private int port;
  private final List<Socket> sockets = new ArrayList<>();
  private EgressWatcher watcher;

  @BeforeEach
  void listen() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    port = server.getLocalPort();
  }

  @AfterEach
  void closeAll() throws IOException {
    if (watcher != null) {
      watcher.close();
    }
    for (Socket s : sockets) {
      s.close();
    }
    server.close();
  }

  private EgressPolicy policy() {
    return EgressTestData.policy().withPorts(Set.of(port)).withIncludeLoopback(true)
        .withSamplePeriod(Duration.ofMillis(20));
  }

  private EgressWatcher startWatcher(EgressPolicy policy) {
    watcher = EgressWatcher.start(policy, ProcNetTcpSource.system(), Optional.empty(), Clock.systemUTC());
    return watcher;
  }

  /** Client and accepted server socket of one session. */
  private Socket[] connect() throws IOException {
    Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
    Socket accepted = server.accept();
    sockets.add(client);
    sockets.add(accepted);
    return new Socket[] {client, accepted};
  }

  private Optional<SmtpEgressWindow> ourWindow() {
    long pid = ProcessHandle.current().pid();
    return watcher.snapshot().stream().filter(w -> w.getPid() == pid).findFirst();
  }

  private List<SmtpEgressWindow> windowsToOurPort() {
    return watcher.snapshot().stream()
        .filter(w -> w.getDestinationsList().stream().anyMatch(d -> d.getPort() == port)).toList();
  }

  @Test
  void establishedConnectionIsAttributedToThisJvm() throws IOException {
    startWatcher(policy());
    connect();

    SmtpEgressWindow w = await().atMost(PATIENCE).until(this::ourWindow, Optional::isPresent).orElseThrow();

    assertThat(w.getProcessName()).isEqualTo("java");
    assertThat(w.getProcessPath()).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/exe")).toString());
    assertThat(w.getUser()).isEqualTo(System.getProperty("user.name"));
    assertThat(w.getUnattributed()).isFalse();
    assertThat(w.getDestinationsList()).extracting(EgressDestination::getIp, EgressDestination::getPort)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("127.0.0.1", port));
    assertThat(w.getStates().getEstablished()).isEqualTo(1);
    assertThat(w.getAllowed()).isFalse();
  }

  @Test
  void concurrentSessionsToOneServerAreCountedSeparately() throws IOException {
    startWatcher(policy());
    for (int i = 0; i < 5; i++) {
      connect();
    }

    SmtpEgressWindow w = await().atMost(PATIENCE)
        .until(this::ourWindow, o -> o.isPresent() && o.get().getConnections() == 5).orElseThrow();

    assertThat(w.getDistinctDestinations()).isEqualTo(1);
    assertThat(w.getDestinations(0).getConnections()).isEqualTo(5);
  }

  @Test
  void clientClosingFirstLeavesTimeWaitThatStaysAttributedToTheClient() throws IOException {
    startWatcher(policy());
    Socket[] session = connect();
    await().atMost(PATIENCE).until(this::ourWindow, Optional::isPresent);

    session[0].close(); // client sends FIN first: the client side ends in TIME_WAIT
    assertThat(session[1].getInputStream().read()).isEqualTo(-1);
    session[1].close();

    SmtpEgressWindow w = await().atMost(PATIENCE)
        .until(this::ourWindow, o -> o.isPresent() && o.get().getStates().getTimeWait() == 1).orElseThrow();
    assertThat(w.getConnections()).isEqualTo(1);
    assertThat(windowsToOurPort()).noneMatch(SmtpEgressWindow::getUnattributed);
  }

  @Test
  void serverClosingFirstAsAfterQuitShowsTheClientClosingWithoutTimeWait() throws IOException {
    startWatcher(policy());
    Socket[] session = connect();
    await().atMost(PATIENCE).until(this::ourWindow, Optional::isPresent);

    session[1].close(); // the server answers QUIT and closes: the client goes CLOSE_WAIT
    await().atMost(PATIENCE)
        .until(this::ourWindow, o -> o.isPresent() && o.get().getStates().getClosing() == 1);
    assertThat(session[0].getInputStream().read()).isEqualTo(-1);
    session[0].close();

    List<SmtpEgressWindow> windows = watcher.stopAndDrainAll().stream()
        .filter(w -> w.getDestinationsList().stream().anyMatch(d -> d.getPort() == port)).toList();
    assertThat(windows).hasSize(1);
    assertThat(windows.get(0).getPid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(windows.get(0).getConnections()).isEqualTo(1);
    // TIME_WAIT sits on the server side, whose remote port is not a watched port
    assertThat(windows.get(0).getStates().getTimeWait()).isZero();
  }

  @Test
  void loopbackConnectionsAreIgnoredUnlessPolicyIncludesLoopback() throws IOException {
    connect();
    EgressWatcher quiet = new EgressWatcher(policy().withIncludeLoopback(false), ProcNetTcpSource.system(),
        Optional.empty(), Clock.systemUTC());
    watcher = quiet;

    quiet.tick();
    quiet.tick();

    assertThat(quiet.samples()).isEqualTo(2);
    assertThat(quiet.snapshot()).isEmpty();
  }

  @Test
  void allowlistKeepsAPermittedRelayQuiet() throws IOException {
    String ownPath = Files.readSymbolicLink(Path.of("/proc/self/exe")).toString();
    EgressPolicy p = policy();
    startWatcher(new EgressPolicy(p.ports(), List.of(ownPath), false, true, p.samplePeriod(), p.window(), false));
    connect();

    SmtpEgressWindow w = await().atMost(PATIENCE).until(this::ourWindow, Optional::isPresent).orElseThrow();

    assertThat(w.getAllowed()).isTrue();
    assertThat(windowsToOurPort()).allMatch(SmtpEgressWindow::getAllowed);
  }

  @Test
  void oshiSourceAlsoNamesThisJvmAsTheOwner() throws IOException {
    Socket[] session = connect();

    List<ConnectionObservation> sample = OshiConnectionSource.system().sample(Set.of(port));

    assertThat(sample).filteredOn(o -> o.local().port() == session[0].getLocalPort()).singleElement()
        .satisfies(o -> {
          assertThat(o.owner().pid()).isEqualTo(ProcessHandle.current().pid());
          assertThat(o.state()).isEqualTo(TcpState.ESTABLISHED);
          assertThat(o.remote().toString()).isEqualTo("127.0.0.1:" + port);
        });
  }
}
