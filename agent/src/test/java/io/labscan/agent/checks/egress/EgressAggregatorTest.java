package io.labscan.agent.checks.egress;

import static io.labscan.agent.checks.egress.EgressTestData.POSTFIX;
import static io.labscan.agent.checks.egress.EgressTestData.WORM;
import static io.labscan.agent.checks.egress.EgressTestData.ep;
import static io.labscan.agent.checks.egress.EgressTestData.obs;
import static io.labscan.agent.checks.egress.EgressTestData.policy;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

  private final EgressAggregator agg = new EgressAggregator(policy(), T0);

  private static SmtpEgressWindow only(List<SmtpEgressWindow> windows) {
    assertThat(windows).hasSize(1);
    return windows.get(0);
  }

  @Test
  void aConnectionSeenInManySamplesCountsOnce() {
    for (int i = 0; i < 20; i++) {
      agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusMillis(250L * i));
    }

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getConnections()).isEqualTo(1);
    assertThat(w.getStates().getEstablished()).isEqualTo(1);
  }

  @Test
  void distinctFourTuplesAreDistinctConnections() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40001, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40002, "198.51.100.7", 587, TcpState.SYN_SENT, WORM), T0);

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getConnections()).isEqualTo(3);
    assertThat(w.getDistinctDestinations()).isEqualTo(2);
  }

  @Test
  void destinationsAreListedMostContactedFirst() {
    agg.observe(obs(40000, "198.51.100.7", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40001, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40002, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getDestinationsList()).extracting(d -> d.getIp() + ":" + d.getPort() + "x" + d.getConnections())
        .containsExactly("192.0.2.25:25x2", "198.51.100.7:25x1");
  }

  @Test
  void destinationListIsCapped() {
    for (int i = 0; i < EgressAggregator.MAX_DESTINATIONS + 50; i++) {
      agg.observe(obs(30000 + i, "198.51." + (i / 250) + "." + (i % 250 + 1), 25, TcpState.SYN_SENT, WORM), T0);
    }

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getDestinationsCount()).isEqualTo(EgressAggregator.MAX_DESTINATIONS);
    assertThat(w.getDistinctDestinations()).isEqualTo(EgressAggregator.MAX_DESTINATIONS + 50);
  }

  @Test
  void eachProcessGetsItsOwnWindow() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40001, "198.51.100.7", 25, TcpState.ESTABLISHED, POSTFIX), T0);

    assertThat(agg.drainCompleted(T0.plusSeconds(60))).extracting(SmtpEgressWindow::getProcessName)
        .containsExactlyInAnyOrder("winkabcd", "smtp");
  }

  @Test
  void windowCarriesProcessAndTimes() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.SYN_SENT, WORM), T0.plusSeconds(3));
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(4));

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getPid()).isEqualTo(4242);
    assertThat(w.getProcessPath()).isEqualTo("/home/ann/.cache/winkabcd");
    assertThat(w.getUser()).isEqualTo("ann");
    assertThat(w.getUnattributed()).isFalse();
    assertThat(Timestamps.toMillis(w.getWindowStart())).isEqualTo(T0.toEpochMilli());
    assertThat(Timestamps.toMillis(w.getWindowEnd())).isEqualTo(T0.plusSeconds(60).toEpochMilli());
    assertThat(Timestamps.toMillis(w.getFirstSeen())).isEqualTo(T0.plusSeconds(3).toEpochMilli());
    assertThat(Timestamps.toMillis(w.getLastSeen())).isEqualTo(T0.plusSeconds(4).toEpochMilli());
    assertThat(w.getSource()).isEqualTo("poll");
  }

  @Test
  void stateCountsArePerConnectionAndState() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.SYN_SENT, WORM), T0);
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.CLOSE_WAIT, WORM), T0);
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.LAST_ACK, WORM), T0);
    agg.observe(obs(40001, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40001, "192.0.2.25", 25, TcpState.FIN_WAIT2, WORM), T0);
    agg.observe(obs(40001, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0);

    var states = only(agg.drainCompleted(T0.plusSeconds(60))).getStates();
    assertThat(states.getSynSent()).isEqualTo(1);
    assertThat(states.getEstablished()).isEqualTo(2);
    assertThat(states.getClosing()).isEqualTo(2);
    assertThat(states.getTimeWait()).isEqualTo(1);
  }

  @Test
  void timeWaitRowInheritsTheOwnerSeenBeforeForTheSameTuple() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0.plusSeconds(1));

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getPid()).isEqualTo(4242);
    assertThat(w.getStates().getTimeWait()).isEqualTo(1);
  }

  @Test
  void ownerIsRememberedAcrossTheWindowBoundary() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(59));
    agg.drainCompleted(T0.plusSeconds(60));
    // the session goes on, but this sample could not name its process (it had just exited)
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, ProcessInfo.unknown()), T0.plusSeconds(61));

    SmtpEgressWindow second = only(agg.drainCompleted(T0.plusSeconds(120)));
    assertThat(second.getPid()).isEqualTo(4242);
    assertThat(second.getUnattributed()).isFalse();
  }

  @Test
  void aTimeWaitLingeringIntoLaterWindowsIsNotCountedAgain() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(58));
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0.plusSeconds(59));
    SmtpEgressWindow first = only(agg.drainCompleted(T0.plusSeconds(60)));

    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0.plusSeconds(61));
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0.plusSeconds(118));

    assertThat(first.getConnections()).isEqualTo(1);
    assertThat(agg.drainCompleted(T0.plusSeconds(120))).isEmpty();
  }

  @Test
  void aSessionStillEstablishedInTheNextWindowCountsThereToo() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(59));
    agg.drainCompleted(T0.plusSeconds(60));
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(61));
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0.plusSeconds(62));

    SmtpEgressWindow second = only(agg.drainCompleted(T0.plusSeconds(120)));
    assertThat(second.getConnections()).isEqualTo(1);
    assertThat(second.getStates().getTimeWait()).isEqualTo(1);
  }

  @Test
  void aTimeWaitOfAConnectionNeverCountedBeforeIsCounted() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(10));
    agg.drainCompleted(T0.plusSeconds(60));
    agg.observe(obs(40001, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0.plusSeconds(61));

    assertThat(only(agg.drainCompleted(T0.plusSeconds(120))).getConnections()).isEqualTo(1);
  }

  @Test
  void timeWaitWithNoKnownOwnerIsReportedUnattributed() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0);

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getUnattributed()).isTrue();
    assertThat(w.getPid()).isZero();
    assertThat(w.getAllowed()).isFalse();
  }

  @Test
  void eventWithOnlyAUidIsUpgradedWhenAPollNamesTheProcess() {
    agg.observe(new EgressEvent(T0, ep("10.0.0.5", 40000), ep("192.0.2.25", 25), ProcessInfo.userOnly("ann")));
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusMillis(10));

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getPid()).isEqualTo(4242);
    assertThat(w.getConnections()).isEqualTo(1);
    assertThat(w.getSource()).isEqualTo("event");
    assertThat(w.getStates().getSynSent()).isEqualTo(1);
  }

  @Test
  void eventNeverSeenByAPollIsReportedWithItsUser() {
    agg.observe(new EgressEvent(T0, ep("10.0.0.5", 40000), ep("192.0.2.25", 25), ProcessInfo.userOnly("ann")));

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getUnattributed()).isTrue();
    assertThat(w.getUser()).isEqualTo("ann");
    assertThat(w.getSource()).isEqualTo("event");
  }

  @Test
  void onlyEndedWindowsAreDrained() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(10));
    agg.observe(obs(40001, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(70));

    assertThat(agg.drainCompleted(T0.plusSeconds(90))).hasSize(1);
    assertThat(agg.drainCompleted(T0.plusSeconds(90))).isEmpty();
    assertThat(agg.drainCompleted(T0.plusSeconds(120))).hasSize(1);
  }

  @Test
  void drainAllEndsTheOpenWindowNow() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(10));

    SmtpEgressWindow w = only(agg.drainAll(T0.plusSeconds(15)));
    assertThat(Timestamps.toMillis(w.getWindowEnd())).isEqualTo(T0.plusSeconds(15).toEpochMilli());
    assertThat(agg.drainAll(T0.plusSeconds(16))).isEmpty();
  }

  @Test
  void lateObservationAfterADrainGoesIntoTheOpenWindow() {
    agg.drainCompleted(T0.plusSeconds(60));
    // a sample stamped before the drain (clock step back) must not recreate a drained window
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(30));

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(120)));
    assertThat(Timestamps.toMillis(w.getWindowStart())).isEqualTo(T0.plusSeconds(60).toEpochMilli());
  }

  @Test
  void loopbackIsIgnoredUnlessPolicyIncludesIt() {
    agg.observe(obs(40000, "127.0.0.1", 25, TcpState.ESTABLISHED, WORM), T0);
    EgressAggregator withLoopback = new EgressAggregator(policy().withIncludeLoopback(true), T0);
    withLoopback.observe(obs(40000, "127.0.0.1", 25, TcpState.ESTABLISHED, WORM), T0);

    assertThat(agg.drainCompleted(T0.plusSeconds(60))).isEmpty();
    assertThat(withLoopback.drainCompleted(T0.plusSeconds(60))).hasSize(1);
  }

  @Test
  void portsOutsideThePolicyAreIgnored() {
    agg.observe(obs(40000, "192.0.2.25", 443, TcpState.ESTABLISHED, WORM), T0);

    assertThat(agg.drainCompleted(T0.plusSeconds(60))).isEmpty();
  }

  @Test
  void allowlistedProcessWindowIsAllowed() {
    EgressAggregator relay = new EgressAggregator(new EgressPolicy(policy().ports(),
        List.of("/usr/lib/postfix/sbin/smtp"), false, false, policy().samplePeriod(), policy().window(), false), T0);
    relay.observe(obs(40000, "198.51.100.7", 25, TcpState.ESTABLISHED, POSTFIX), T0);
    relay.observe(obs(40001, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);

    assertThat(relay.drainCompleted(T0.plusSeconds(60)))
        .extracting(w -> w.getProcessName() + "=" + w.getAllowed())
        .containsExactlyInAnyOrder("smtp=true", "winkabcd=false");
  }

  @Test
  void aConnectionPolledAgainUnchangedStillMovesItsLastSeen() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0);
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(5));

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(Timestamps.toMillis(w.getLastSeen())).isEqualTo(T0.plusSeconds(5).toEpochMilli());
  }

  @Test
  void aConnectionPolledAgainWithItsProcessNamedUpgradesTheWindow() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, ProcessInfo.userOnly("ann")), T0);
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(1));

    SmtpEgressWindow w = only(agg.drainCompleted(T0.plusSeconds(60)));
    assertThat(w.getPid()).isEqualTo(4242);
    assertThat(w.getUnattributed()).isFalse();
  }

  @Test
  void aConnectionPolledForLongerThanTheOwnerMemoryKeepsItsTimeWaitTailUncounted() {
    EgressAggregator tenMinutes = new EgressAggregator(policy().withWindow(java.time.Duration.ofMinutes(10)), T0);
    for (int s = 0; s < 600; s += 5) {
      tenMinutes.observe(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM), T0.plusSeconds(s));
    }
    assertThat(tenMinutes.drainCompleted(T0.plusSeconds(600))).hasSize(1);

    tenMinutes.observe(obs(40000, "192.0.2.25", 25, TcpState.TIME_WAIT, ProcessInfo.unknown()), T0.plusSeconds(601));

    // the tail of the connection the first window counted, not a new unattributed one
    assertThat(tenMinutes.snapshot(T0.plusSeconds(602))).isEmpty();
  }

  @Test
  void theProcessLastSeenConnectingToADestinationAsAUserIsRememberedForTheQuarantine() {
    agg.observe(obs(40000, "192.0.2.25", 25, TcpState.SYN_SENT, WORM), T0);
    agg.observe(new EgressEvent(T0.plusSeconds(1), ep("10.0.0.5", 40001), ep("192.0.2.25", 25),
        ProcessInfo.userOnly(WORM.user())));

    assertThat(agg.lastSender(ep("192.0.2.25", 25), WORM.user())).contains(WORM);
    assertThat(agg.lastSender(ep("192.0.2.25", 587), WORM.user())).isEmpty();
    assertThat(agg.lastSender(ep("192.0.2.25", 25), "someone-else")).isEmpty();
  }

  @Test
  void theRememberedSendersAreBounded() {
    for (int i = 0; i < EgressAggregator.MAX_REMEMBERED_SENDERS + 10; i++) {
      agg.observe(obs(20000 + i % 40000, "198.51." + (i / 250) + "." + (i % 250 + 1), 25, TcpState.SYN_SENT, WORM), T0);
    }

    assertThat(agg.lastSender(ep("198.51.0.1", 25), WORM.user())).isEmpty();
    int last = EgressAggregator.MAX_REMEMBERED_SENDERS + 9;
    assertThat(agg.lastSender(ep("198.51." + (last / 250) + "." + (last % 250 + 1), 25), WORM.user())).contains(WORM);
  }
}
