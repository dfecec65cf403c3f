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
import java.util.function.IntFunction;
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

  /** Schedules the command streams' reconnections (agents that listen for commands only). */
  private final ScheduledExecutorService background;

  private AgentFleet(List<LiteAgent> agents, DeliveryLedger ledger, ExecutorService pool,
      ScheduledExecutorService background) {
    this.agents = agents;
    this.ledger = ledger;
    this.pool = pool;
    this.background = background;
  }

  private static ScheduledExecutorService background() {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fleet-command-streams");
      t.setDaemon(true);
      return t;
    });
  }

  /** Enrols {@code size} agents (state folders under {@code root}) with one multi-use token. */
  static AgentFleet enrol(int size, Path root, EnrolmentToken token, ControllerProcess controller) {
    return enrol(size, root, token, controller.enrolTarget(), controller.agentTarget());
  }

  /** As {@link #enrol(int, Path, EnrolmentToken, ControllerProcess)}, for any controller's ports. */
  static AgentFleet enrol(int size, Path root, EnrolmentToken token, String enrolTarget, String agentTarget) {
    return enrol(size, (number, ledger, background) -> LiteAgent.enrol(number,
        root.resolve(String.format("agent-%03d", number)), token, enrolTarget, agentTarget, ledger));
  }

  /**
   * Enrols {@code size} agents through {@code enrolTarget}, each configured with several
   * controllers: machine number {@code n} tries {@code controllersOf.apply(n)} in that order,
   * fails over between them with the agent's own client, and keeps its command stream open.
   */
  static AgentFleet enrolFailingOver(int size, Path root, EnrolmentToken token, String enrolTarget,
      IntFunction<List<String>> controllersOf) {
    return enrol(size, (number, ledger, background) -> LiteAgent.enrolFailingOver(number,
        root.resolve(String.format("agent-%03d", number)), token, enrolTarget, controllersOf.apply(number), ledger,
        background));
  }

  /** Enrols one machine of a fleet. */
  @FunctionalInterface
  private interface Enrolling {
    LiteAgent enrol(int number, DeliveryLedger ledger, ScheduledExecutorService background) throws Exception;
  }

  private static AgentFleet enrol(int size, Enrolling enrolling) {
    DeliveryLedger ledger = new DeliveryLedger();
    ScheduledExecutorService background = background();
    ExecutorService pool = Executors.newFixedThreadPool(PARALLELISM, r -> {
      Thread t = new Thread(r, "fleet-worker");
      t.setDaemon(true);
      return t;
    });
    List<Callable<LiteAgent>> enrolments = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      int number = i;
      enrolments.add(() -> enrolling.enrol(number, ledger, background));
    }
    List<LiteAgent> agents = new ArrayList<>();
    try {
      for (Future<LiteAgent> f : pool.invokeAll(enrolments)) {
        agents.add(f.get());
      }
    } catch (Exception e) {
      agents.forEach(LiteAgent::close);
      pool.shutdownNow();
      background.shutdownNow();
      throw new IllegalStateException("Enrolling the fleet failed: " + e.getMessage(), e);
    }
    return new AgentFleet(List.copyOf(agents), ledger, pool, background);
  }

  /** The agents, by machine number (the first is number 1). */
  List<LiteAgent> agents() {
    return agents;
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
      background.shutdownNow();
    }
  }
}
