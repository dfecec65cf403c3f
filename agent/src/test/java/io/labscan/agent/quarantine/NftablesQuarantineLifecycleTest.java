package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.agent.checks.egress.NetNs;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.QuarantineEnforcement;
import io.labscan.proto.v1.QuarantineOrder;
import io.labscan.proto.v1.QuarantineStatus;
import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux quarantine's rule lifecycle with the real {@code nft}, in a network namespace the test
 * creates (its own loopback with two more addresses; nothing leaves the machine): install, what is refused and what passes, counting, an agent restarting after a
 * crash, release, and the uninstaller's removal. Needs root, iproute2, nftables and python3;
 * skipped loudly without them.
 */
class NftablesQuarantineLifecycleTest {
  private static final String MX = "10.77.0.1";
  private static final String RELAY = "10.77.0.2";
  /** Debian's {@code daemon} user: a system user the tests run an "allowed" sender as. */
  private static final long DAEMON_UID = 1;

  @TempDir Path state;
  private NetNs ns;
  private final List<Process> servers = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    Requirements.root("nftables rules in a network namespace");
    Requirements.command("ip", "iproute2");
    Requirements.command("nft", "nftables");
    Requirements.command("python3", "python3");
    try {
      ns = NetNs.create();
    } catch (IOException e) {
      Requirements.kernelFeature("network namespaces", Optional.of(String.valueOf(e.getMessage())));
    }
    // Addresses outside 127/8 (which the quarantine leaves open), on the namespace's loopback.
    exec(NetNs.ip(), "addr", "add", MX + "/32", "dev", "lo");
    exec(NetNs.ip(), "addr", "add", RELAY + "/32", "dev", "lo");
    // Listeners that accept and close: a connection that gets through is "ok".
    servers.add(ns.start(List.of(NetNs.python(), "-c", """
        import socket, threading
        def serve(addr, port):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port)); s.listen(64)
            while True:
                c, _ = s.accept(); c.close()
        for a, p in (('%s', 25), ('%s', 587), ('%s', 8025), ('%s', 25)):
            threading.Thread(target=serve, args=(a, p), daemon=True).start()
        print('listening', flush=True)
        threading.Event().wait()
        """.formatted(MX, MX, MX, RELAY))));
    String ready = new String(servers.get(0).getInputStream().readNBytes(10));
    assertThat(ready).startsWith("listening");
  }

  @AfterEach
  void tearDown() throws IOException {
    servers.forEach(Process::destroyForcibly);
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void aQuarantineRefusesNewSmtpConnectionsAndLetsOtherPortsThrough() throws Exception {
    enforcer().install(rules(Set.of(), List.of()));

    assertThat(connect(MX, 25, 0)).isEqualTo("refused");
    assertThat(connect(MX, 587, 0)).isEqualTo("refused");
    assertThat(connect(MX, 8025, 0)).isEqualTo("ok");
  }

  @Test
  void anAllowedUserAndAnAllowedDestinationStillConnect() throws Exception {
    enforcer().install(rules(Set.of(DAEMON_UID), List.of(RELAY)));

    assertThat(connect(MX, 25, DAEMON_UID)).as("the allowed user").isEqualTo("ok");
    assertThat(connect(RELAY, 25, 0)).as("the allowed destination").isEqualTo("ok");
    assertThat(connect(MX, 25, 0)).as("anybody else to anywhere else").isEqualTo("refused");
  }

  @Test
  void refusedAttemptsAreCountedPerDestinationPortAndUser() throws Exception {
    NftablesQuarantine enforcer = enforcer();
    enforcer.install(rules(Set.of(), List.of()));
    for (int i = 0; i < 3; i++) {
      connect(MX, 25, 0);
    }
    connect(MX, 587, DAEMON_UID);

    assertThat(enforcer.blockedSoFar()).containsExactlyInAnyOrder(
        new QuarantineEnforcer.BlockedCount(MX, 25, 0, 3),
        new QuarantineEnforcer.BlockedCount(MX, 587, DAEMON_UID, 1));
  }

  @Test
  void anAgentStartingAfterACrashRestoresTheQuarantineItWasOrdered() throws Exception {
    SmtpQuarantine first = agent();
    first.start(Policy.getDefaultInstance());
    first.order(order(1, true), Policy.getDefaultInstance());
    assertThat(connect(MX, 25, 0)).isEqualTo("refused");
    // The machine reboots (the table is gone) and the agent starts again on the same state folder.
    exec(NftablesQuarantine.nftBinary(), "delete", "table", "inet", NftablesQuarantine.TABLE);
    assertThat(connect(MX, 25, 0)).isEqualTo("ok");

    SmtpQuarantine second = agent();
    second.start(Policy.getDefaultInstance());

    assertThat(connect(MX, 25, 0)).isEqualTo("refused");
    assertThat(second.enforcement()).isEqualTo(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED);
  }

  @Test
  void anAgentStartingAfterACrashDuringReleaseRemovesTheTableItLeftBehind() throws Exception {
    SmtpQuarantine first = agent();
    first.start(Policy.getDefaultInstance());
    first.order(order(1, true), Policy.getDefaultInstance());
    // The release was written, then the agent died before removing the rules.
    Files.writeString(state.resolve(SmtpQuarantine.STATE_FILE), "{\"revision\": \"2\", \"quarantined\": false}\n");
    assertThat(enforcer().isInstalled()).isTrue();

    agent().start(Policy.getDefaultInstance());

    assertThat(enforcer().isInstalled()).isFalse();
    assertThat(connect(MX, 25, 0)).isEqualTo("ok");
  }

  @Test
  void aReleaseRemovesTheTableAndSendingWorksAgain() throws Exception {
    SmtpQuarantine agent = agent();
    agent.start(Policy.getDefaultInstance());
    agent.order(order(1, true), Policy.getDefaultInstance());
    assertThat(connect(MX, 25, 0)).isEqualTo("refused");

    agent.order(order(2, false), Policy.getDefaultInstance());

    assertThat(enforcer().isInstalled()).isFalse();
    assertThat(connect(MX, 25, 0)).isEqualTo("ok");
  }

  @Test
  void theStatusReportsEachRefusedAttemptOnce() throws Exception {
    SmtpQuarantine agent = agent();
    agent.start(Policy.getDefaultInstance());
    agent.order(order(1, true), Policy.getDefaultInstance());
    connect(MX, 25, 0);
    connect(MX, 25, 0);

    QuarantineStatus first = agent.drainStatus().orElseThrow();
    connect(MX, 25, 0);
    QuarantineStatus second = agent.drainStatus().orElseThrow();

    assertThat(first.getEnforcement()).isEqualTo(QuarantineEnforcement.QUARANTINE_ENFORCEMENT_ENFORCED);
    assertThat(first.getBlockedList()).singleElement().satisfies(b -> {
      assertThat(b.getIp()).isEqualTo(MX);
      assertThat(b.getPort()).isEqualTo(25);
      assertThat(b.getUser()).isEqualTo("root");
      assertThat(b.getAttempts()).isEqualTo(2);
    });
    assertThat(second.getBlockedList()).singleElement().satisfies(b -> assertThat(b.getAttempts()).isEqualTo(1));
    assertThat(agent.drainStatus()).isEmpty();
  }

  @Test
  void theDebianPackagesRemovalScriptDeletesTheQuarantineTable() throws Exception {
    enforcer().install(rules(Set.of(), List.of()));
    Path postrm = Path.of("..", "installers", "linux", "deb", "agent", "postrm");
    Matcher function = Pattern.compile("(?s)drop_nft_table\\(\\) \\{.*?\\n\\}").matcher(Files.readString(postrm));
    assertThat(function.find()).as("postrm defines drop_nft_table").isTrue();

    NetNs.Result removed = ns.exec(List.of("/bin/sh", "-c", function.group() + "\ndrop_nft_table"));

    assertThat(removed.exit()).isZero();
    assertThat(enforcer().isInstalled()).isFalse();
    assertThat(connect(MX, 25, 0)).isEqualTo("ok");
  }

  private NftablesQuarantine enforcer() {
    return new NftablesQuarantine(ns.prefix());
  }

  private SmtpQuarantine agent() throws IOException {
    Path passwd = state.resolve("passwd");
    Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n");
    Path proc = Files.createDirectories(state.resolve("proc"));
    return new SmtpQuarantine(enforcer(), state, new AllowedUsers(proc, passwd),
        uid -> uid == 0 ? "root" : uid == 1 ? "daemon" : Long.toString(uid));
  }

  private static QuarantineRules rules(Set<Long> uids, List<String> destinations) {
    return QuarantineRules.of(Set.of(25, 465, 587), uids, destinations);
  }

  private static QuarantineOrder order(long revision, boolean quarantined) {
    return QuarantineOrder.newBuilder().setRevision(revision).setQuarantined(quarantined)
        .setSince(Timestamps.fromMillis(1_765_000_000_000L)).setBy("admin linda").setReason("worm mail").build();
  }

  /** One TCP connection from the namespace as {@code uid}: "ok", "refused" or the error. */
  private String connect(String address, int port, long uid) throws Exception {
    List<String> command = new ArrayList<>();
    if (uid != 0) {
      command.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
    }
    command.addAll(List.of(NetNs.python(), "-c", """
        import socket
        s = socket.socket(); s.settimeout(3)
        try:
            s.connect(('%s', %d)); print('ok')
        except ConnectionRefusedError:
            print('refused')
        except Exception as e:
            print('error', e)
        """.formatted(address, port)));
    return ns.exec(command).output().strip();
  }

  private void exec(String... command) throws Exception {
    NetNs.Result r = ns.exec(List.of(command));
    assertThat(r.exit()).as(String.join(" ", command) + ": " + r.output()).isZero();
  }
}
