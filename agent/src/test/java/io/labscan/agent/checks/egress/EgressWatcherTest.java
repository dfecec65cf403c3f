package io.labscan.agent.checks.egress;

import static io.labscan.agent.checks.egress.EgressTestData.WORM;
import static io.labscan.agent.checks.egress.EgressTestData.ep;
import static io.labscan.agent.checks.egress.EgressTestData.obs;
import static io.labscan.agent.checks.egress.EgressTestData.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The watcher's plumbing with scripted sources: windows, events, failures, shutdown. */
class EgressWatcherTest {
  private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final List<List<ConnectionObservation>> script = new CopyOnWriteArrayList<>();

  /** Returns the scripted samples in turn, then the last one forever. */
  private final ConnectionSource scripted = new ConnectionSource() {
    @Override
    public String name() {
      return "scripted";
    }

    @Override
    public List<ConnectionObservation> sample(Set<Integer> ports) {
      return script.size() > 1 ? script.remove(0) : script.isEmpty() ? List.of() : script.get(0);
    }
  };

  /** An event source the test fires by hand. */
  private static final class ManualEvents implements EgressEventSource {
    volatile Consumer<EgressEvent> sink;
    final AtomicBoolean closed = new AtomicBoolean();
    final boolean failOnStart;

    ManualEvents(boolean failOnStart) {
      this.failOnStart = failOnStart;
    }

    @Override
    public String name() {
      return "manual";
    }

    @Override
    public void start(Consumer<EgressEvent> sink) throws IOException {
      if (failOnStart) {
        throw new IOException("nft: Operation not permitted");
      }
      this.sink = sink;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void completedWindowsAreHandedOutOnce() {
    script.add(List.of(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM)));
    EgressWatcher watcher = new EgressWatcher(policy(), scripted, Optional.empty(), clock);
    watcher.tick();

    clock.advance(Duration.ofSeconds(60));

    assertThat(watcher.drainCompletedWindows()).hasSize(1);
    assertThat(watcher.drainCompletedWindows()).isEmpty();
    watcher.close();
  }

  @Test
  void openWindowIsNotHandedOutBeforeItEnds() {
    script.add(List.of(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM)));
    EgressWatcher watcher = new EgressWatcher(policy(), scripted, Optional.empty(), clock);
    watcher.tick();

    clock.advance(Duration.ofSeconds(59));

    assertThat(watcher.drainCompletedWindows()).isEmpty();
    assertThat(watcher.snapshot()).hasSize(1);
    watcher.close();
  }

  @Test
  void eventsAreFoldedInAndAttributedByTheNextSample() {
    ManualEvents events = new ManualEvents(false);
    EgressWatcher watcher = EgressWatcher.start(policy(), scripted, Optional.of(events), clock);
    assertThat(watcher.eventSourceRunning()).isTrue();
    script.add(List.of(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM)));

    events.sink.accept(new EgressEvent(T0, ep("10.0.0.5", 40000), ep("192.0.2.25", 25), ProcessInfo.userOnly("ann")));

    SmtpEgressWindow w = await().atMost(Duration.ofSeconds(10)).until(
        () -> watcher.snapshot().stream().filter(x -> x.getSource().equals("event")).findFirst(),
        o -> o.isPresent() && o.get().getPid() == 4242).orElseThrow();
    assertThat(w.getConnections()).isEqualTo(1);
    watcher.close();
  }

  @Test
  void anEventSourceThatCannotStartLeavesPollingRunning() {
    script.add(List.of(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM)));
    EgressWatcher watcher = EgressWatcher.start(policy().withSamplePeriod(Duration.ofMillis(20)), scripted,
        Optional.of(new ManualEvents(true)), clock);

    await().atMost(Duration.ofSeconds(10)).until(() -> watcher.snapshot().size() == 1);

    assertThat(watcher.eventSourceRunning()).isFalse();
    watcher.close();
  }

  @Test
  void aFailingSampleIsSurvived() {
    ConnectionSource flaky = new ConnectionSource() {
      int calls;

      @Override
      public String name() {
        return "flaky";
      }

      @Override
      public List<ConnectionObservation> sample(Set<Integer> ports) throws IOException {
        if (calls++ == 0) {
          throw new IOException("/proc/net/tcp: Input/output error");
        }
        return List.of(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM));
      }
    };
    EgressWatcher watcher = new EgressWatcher(policy(), flaky, Optional.empty(), clock);

    watcher.tick();
    watcher.tick();

    assertThat(watcher.samples()).isEqualTo(1);
    assertThat(watcher.snapshot()).hasSize(1);
    watcher.close();
  }

  @Test
  void stopAndDrainAllClosesTheEventSourceAndKeepsItsLastEvents() {
    ManualEvents events = new ManualEvents(false);
    EgressWatcher watcher = EgressWatcher.start(policy().withSamplePeriod(Duration.ofSeconds(30)), scripted,
        Optional.of(events), clock);
    events.sink.accept(new EgressEvent(T0, ep("10.0.0.5", 40000), ep("192.0.2.25", 25), ProcessInfo.userOnly("ann")));

    List<SmtpEgressWindow> windows = watcher.stopAndDrainAll();

    assertThat(events.closed).isTrue();
    assertThat(windows).singleElement().satisfies(w -> assertThat(w.getUser()).isEqualTo("ann"));
  }

  private static EgressEvent eventFor(int localPort) {
    return new EgressEvent(T0, ep("10.0.0.5", localPort), ep("192.0.2.25", 25), ProcessInfo.userOnly("ann"));
  }

  @Test
  void eventOfAConnectionTheLastSampleNamedTheProcessOfAsksForNoExtraSample() {
    script.add(List.of(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM)));
    EgressWatcher watcher = new EgressWatcher(policy(), scripted, Optional.of(new ManualEvents(false)), clock);
    watcher.tick();

    assertThat(watcher.wantsSampleFor(eventFor(40000))).isFalse();
    watcher.close();
  }

  @Test
  void eventOfAConnectionNoSampleHasSeenAsksForAnExtraSample() {
    script.add(List.of(obs(40000, "192.0.2.25", 25, TcpState.ESTABLISHED, WORM)));
    EgressWatcher watcher = new EgressWatcher(policy(), scripted, Optional.of(new ManualEvents(false)), clock);
    watcher.tick();

    assertThat(watcher.wantsSampleFor(eventFor(40001))).isTrue();
    watcher.close();
  }

  @Test
  void eventOfAConnectionSeenWithoutItsProcessStillAsksForAnExtraSample() {
    script.add(List.of(obs(40000, "192.0.2.25", 25, TcpState.SYN_SENT, ProcessInfo.userOnly("ann"))));
    EgressWatcher watcher = new EgressWatcher(policy(), scripted, Optional.of(new ManualEvents(false)), clock);
    watcher.tick();

    assertThat(watcher.wantsSampleFor(eventFor(40000))).isTrue();
    watcher.close();
  }

  @Test
  void anEventOfANewConnectionGetsAnExtraSampleBetweenPeriodicOnes() {
    ManualEvents events = new ManualEvents(false);
    EgressWatcher watcher = EgressWatcher.start(policy().withSamplePeriod(Duration.ofSeconds(30)), scripted,
        Optional.of(events), clock);
    await().atMost(Duration.ofSeconds(10)).until(() -> watcher.samples() == 1);

    events.sink.accept(eventFor(40002));

    await().atMost(Duration.ofSeconds(10)).until(() -> watcher.eventTriggeredSamples() == 1);
    assertThat(watcher.samples()).isEqualTo(2);
    watcher.close();
  }

  @Test
  void closingTheWatcherClosesItsSource() {
    AtomicBoolean closed = new AtomicBoolean();
    ConnectionSource closeable = new ConnectionSource() {
      @Override
      public String name() {
        return "closeable";
      }

      @Override
      public List<ConnectionObservation> sample(Set<Integer> ports) {
        return List.of();
      }

      @Override
      public void close() {
        closed.set(true);
      }
    };
    EgressWatcher watcher = EgressWatcher.start(policy(), closeable, Optional.empty(), clock);

    watcher.close();

    assertThat(closed).isTrue();
  }
}
