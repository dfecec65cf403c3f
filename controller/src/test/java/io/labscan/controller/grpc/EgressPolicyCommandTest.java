package io.labscan.controller.grpc;

import io.labscan.controller.policy.EgressSettings;
import io.labscan.controller.policy.PolicyProvider;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.config.AgentConfig;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.cli.ControllerMain;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Policy;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operators set the egress part of the policy with {@code labscan-controller policy}. */
class EgressPolicyCommandTest {
  private static final String RELAY = "0b6f4e2a-7c1d-4e59-9a3b-2f8d6c1e5a70";
  private static final String WORKSTATION = "5d2c8e1f-3a4b-4c6d-8e7f-9a0b1c2d3e4f";

  @TempDir Path dir;

  private Path db() {
    return dir.resolve("c.db");
  }

  private void enrolled(String hostId, String hostname) {
    try (Storage store = Storage.open(db())) {
      store.enroll(hostId, hostname, Instant.now()).join();
    }
  }

  private int policy(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "policy";
    all[1] = "--db";
    all[2] = db().toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return ControllerMain.commandLine().execute(all);
  }

  private PolicyProvider provider(Storage store) {
    return TestWiring.policies(store, Clock.systemUTC());
  }

  @Test
  void eventModeAllowedProcessesAndWindowReachTheFleetPolicyWithANewVersion() {
    enrolled(WORKSTATION, "lab-pc-12");
    long before;
    try (Storage store = Storage.open(db())) {
      before = provider(store).current().getVersion();
    }

    assertThat(policy("--event-mode", "on", "--allow-process", "/usr/lib/postfix/sbin/smtp",
        "--egress-window", "15s")).isZero();

    try (Storage store = Storage.open(db())) {
      Policy p = provider(store).policyFor(WORKSTATION);
      assertThat(p.getVersion()).isGreaterThan(before);
      assertThat(p.getEgressEventMode()).isTrue();
      assertThat(p.getSmtpProcessAllowlistList()).containsExactly("/usr/lib/postfix/sbin/smtp");
      assertThat(p.getEgressWindowSeconds()).isEqualTo(15);
      assertThat(p.getMailServer()).isFalse();
    }
  }

  @Test
  void settingsNotNamedOnTheCommandLineKeepTheirValues() {
    enrolled(WORKSTATION, "lab-pc-12");
    policy("--event-mode", "on", "--allow-process", "smtp", "--egress-window", "20s");

    assertThat(policy("--disallow-process", "smtp")).isZero();

    try (Storage store = Storage.open(db())) {
      Policy p = provider(store).current();
      assertThat(p.getEgressEventMode()).isTrue();
      assertThat(p.getEgressWindowSeconds()).isEqualTo(20);
      assertThat(p.getSmtpProcessAllowlistList()).isEmpty();
    }
  }

  @Test
  void onlyAHostNamedAsMailServerGetsTheMailServerPolicy() {
    enrolled(RELAY, "relay");
    enrolled(WORKSTATION, "lab-pc-12");

    assertThat(policy("--mail-server", "relay")).isZero();

    try (Storage store = Storage.open(db())) {
      assertThat(provider(store).policyFor(RELAY).getMailServer()).isTrue();
      assertThat(provider(store).policyFor(WORKSTATION).getMailServer()).isFalse();
      assertThat(store.hostsWithRole(PolicyProvider.MAIL_SERVER_ROLE)).containsExactly(RELAY);
    }
  }

  @Test
  void aMailServerCanBeMadeAnOrdinaryHostAgain() {
    enrolled(RELAY, "relay");
    policy("--mail-server", RELAY);

    assertThat(policy("--not-mail-server", "relay")).isZero();

    try (Storage store = Storage.open(db())) {
      assertThat(provider(store).policyFor(RELAY).getMailServer()).isFalse();
    }
  }

  @Test
  void anUnknownHostOrAWindowOutOfRangeIsBadInputAndChangesNothing() {
    enrolled(WORKSTATION, "lab-pc-12");
    long before;
    try (Storage store = Storage.open(db())) {
      before = provider(store).current().getVersion();
    }

    assertThat(policy("--mail-server", "no-such-host")).isEqualTo(2);
    assertThat(policy("--egress-window", "1s")).isEqualTo(2);
    assertThat(policy("--egress-window", "a while")).isEqualTo(2);

    try (Storage store = Storage.open(db())) {
      assertThat(provider(store).current().getVersion()).isEqualTo(before);
    }
  }

  @Test
  void allowListEntriesAreTrimmedDeduplicatedAndFreeOfControlCharacters() {
    EgressSettings s = new EgressSettings(false, List.of(" smtp ", "smtp", "/usr/sbin/exim4"), Optional.empty());

    assertThat(s.processAllowlist()).containsExactly("smtp", "/usr/sbin/exim4");
    assertThatThrownBy(() -> s.withAllowed("evil\nentry")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> s.withAllowed("  ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aConnectedAgentLearnsItIsAMailServerWithinSeconds() throws Exception {
    ControllerRuntime controller = ControllerRuntime.start(
        new ControllerRuntime.Options(db(), "127.0.0.1", 0, true), Clock.systemUTC());
    AgentRuntime agent = null;
    try {
      agent = AgentRuntime.start(AgentConfig.defaults()
          .withController("127.0.0.1:" + controller.grpcPort(), true)
          .withStateDir(dir.resolve("agent"))
          .withScanRoot(dir.resolve("root")), Clock.systemUTC());
      AgentRuntime running = agent;
      await().atMost(Duration.ofSeconds(20))
          .until(() -> controller.commands().connectedHosts().contains(running.hostId()));
      assertThat(agent.policy().getMailServer()).isFalse();

      assertThat(policy("--mail-server", agent.hostId(), "--event-mode", "off")).isZero();

      await().atMost(Duration.ofSeconds(20)).until(() -> running.policy().getMailServer());
    } finally {
      if (agent != null) {
        agent.close();
      }
      controller.close();
    }
  }
}
