package io.labscan.controller.faults;

import static org.awaitility.Awaitility.await;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;

/**
 * Many {@link LiteAgent}s in this JVM, each with its own state folder, certificate, spool and
 * sender thread, sharing one {@link DeliveryLedger}. Work on all of them (enrolment, a round
 * of reports, closing) runs on a small pool: a 2-core machine gains nothing from more.
 */
final class AgentFleet implements AutoCloseable {
  private static final int PARALLELISM = 8;

  private final List<LiteAgent> agents;
  private final DeliveryLedger ledger;
  private final ExecutorService pool;
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fleet-heartbeats");
    t.setDaemon(true);
    return t;
  });

  private AgentFleet(List<LiteAgent> agents, DeliveryLedger ledger, ExecutorService pool) {
    this.agents = agents;
    this.ledger = ledger;
    this.pool = pool;
  }

  /** Enrols {@code size} agents (state folders under {@code root}) with one multi-use token. */
  static AgentFleet enrol(int size, Path root, EnrolmentToken token, ControllerProcess controller) {
    return enrol(size, root, token, controller.enrolTarget(), controller.agentTarget());
  }

  /** As {@link #enrol(int, Path, EnrolmentToken, ControllerProcess)}, for any controller's ports. */
  static AgentFleet enrol(int size, Path root, EnrolmentToken token, String enrolTarget, String agentTarget) {
    DeliveryLedger ledger = new DeliveryLedger();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM, r -> {
      Thread t = new Thread(r, "fleet-worker");
      t.setDaemon(true);
      return t;
    });
    List<Callable<LiteAgent>> enrolments = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      int number = i;
      enrolments.add(() -> LiteAgent.enrol(number, root.resolve(String.format("agent-%03d", number)), token,
          enrolTarget, agentTarget, ledger));
    }
    List<LiteAgent> agents = new ArrayList<>();
    try {
      for (Future<LiteAgent> f : pool.invokeAll(enrolments)) {
        agents.add(f.get());
      }
    } catch (Exception e) {
      agents.forEach(LiteAgent::close);
      pool.shutdownNow();
      throw new IllegalStateException("Enrolling the fleet failed: " + e.getMessage(), e);
    }
    return new AgentFleet(List.copyOf(agents), ledger, pool);
  }

  DeliveryLedger ledger() {
    return ledger;
  }

  int size() {
    return agents.size();
  }

  /**
   * Every agent produces one report and spools it; machine number {@code n} reports
   * {@code findings.applyAsInt(n)} Klez artifacts.
   */
  void reportRound(IntUnaryOperator findings) {
    Instant now = Instant.now();
    onEach(agent -> agent.report(now, findings.applyAsInt(agent.number())));
  }

  /**
   * Starts heartbeats from every agent, each {@code every}, as the agent runtime sends them
   * (every 60 s by default policy; seconds here, since all they decide is how soon a sender
   * in backoff is woken once the controller is back).
   */
  void startHeartbeats(Duration every) {
    heartbeats.scheduleWithFixedDelay(() -> agents.forEach(agent -> pool.execute(agent::heartbeat)),
        every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Reports waiting in all spools together. */
  long spooled() {
    return agents.stream().mapToLong(LiteAgent::spooled).sum();
  }

  /** Waits until every spool is empty: every report produced was acknowledged. */
  void awaitDrained(Duration atMost) {
    long started = System.nanoTime();
    long waiting = spooled();
    await("all " + agents.size() + " spools empty").atMost(atMost).pollInterval(Duration.ofMillis(250))
        .until(() -> spooled() == 0);
    System.out.printf("%d spooled reports drained in %d ms%n", waiting, (System.nanoTime() - started) / 1_000_000);
  }

  private void onEach(Consumer<LiteAgent> action) {
    List<Callable<Void>> work = new ArrayList<>();
    for (LiteAgent agent : agents) {
      work.add(() -> {
        action.accept(agent);
        return null;
      });
    }
    try {
      for (Future<Void> f : pool.invokeAll(work)) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("A fleet action failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    heartbeats.shutdownNow();
    try {
      onEach(LiteAgent::close);
    } finally {
      pool.shutdownNow();
    }
  }
}
