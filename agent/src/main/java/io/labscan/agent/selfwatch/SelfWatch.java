package io.labscan.agent.selfwatch;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.AgentBudgetState;
import io.labscan.proto.v1.AgentResources;
import io.labscan.proto.v1.Policy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent watching itself (issue 21): every minute a reading of its own resident size and CPU
 * time ({@link SelfUsageMeter}, the platform's), a budget decision ({@link ResourceBudget}), and
 * what the next heartbeat reports ({@link #latest()}, proto {@code AgentResources}).
 *
 * <p><b>Threading.</b> {@link #measure()} may run on any thread (it reads /proc or calls the OS);
 * {@link #observe} and {@link #policy} run in the agent runtime's serial context, where the
 * state lives; {@link #latest()} is read by the heartbeat from any thread.
 *
 * <p><b>Restart.</b> When the budget asks for one and no scan is running, the restart is first
 * written to the {@link RestartLedger} (the next process's back-off and report depend on it: if it
 * cannot be written, the agent does not restart and reports itself over budget), then
 * {@link Actions#restart} is called; the {@code run} command closes the runtime (the spool is
 * flushed and closed, the open egress window spooled) and exits with
 * {@link #EXIT_RESTART_FOR_MEMORY}, which the service manager restarts.
 */
public final class SelfWatch {
  private static final Logger log = LoggerFactory.getLogger(SelfWatch.class);
  /**
   * The exit code of a restart for memory: 75, EX_TEMPFAIL of sysexits.h ("try again later").
   * systemd's {@code Restart=on-failure} and the Windows service recovery actions restart it;
   * it is not 2 (bad input, never restarted) and not 143 (a clean stop).
   */
  public static final int EXIT_RESTART_FOR_MEMORY = 75;
  /** How often the agent reads its own use. */
  public static final Duration PERIOD = Duration.ofMinutes(1);

  /** What the runtime does on a decision. */
  public interface Actions {
    /** Samples {@code slowFactor} times slower (1: normal pace). */
    void pace(int slowFactor);

    /** Restarts the agent cleanly (the restart is already recorded). */
    void restart(BudgetState why);

    /**
     * The state the heartbeat reports changed (slowed, back to normal pace, over the memory
     * budget or under it again; also the first reading): the runtime sends a heartbeat soon
     * rather than up to a heartbeat interval later, so the operator sees a slow-down or its end
     * when it happens. At most once a reading. Default: nothing.
     */
    default void report(AgentResources resources) {}
  }

  private final SelfUsageMeter meter;
  private final RestartLedger ledger;
  private final ResourceBudget budget;
  private final Actions actions;
  private volatile Optional<AgentResources> latest = Optional.empty();
  private volatile String lastFailure = "";
  private boolean restarting;
  /** The budget state last handed to {@link Actions#report}; null before the first reading. */
  private @Nullable AgentBudgetState reportedState;

  public SelfWatch(SelfUsageMeter meter, RestartLedger ledger, Policy policy, Actions actions) {
    this.meter = requireNonNull(meter, "meter");
    this.ledger = requireNonNull(ledger, "ledger");
    this.actions = requireNonNull(actions, "actions");
    this.budget = new ResourceBudget(BudgetPolicy.from(policy), ledger.read());
  }

  /** A reading now, or empty when the platform gave none (logged once per distinct reason). */
  public Optional<SelfUsage> measure() {
    try {
      SelfUsage usage = meter.measure();
      lastFailure = "";
      return Optional.of(usage);
    } catch (RuntimeException | LinkageError e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!why.equals(lastFailure)) {
        log.warn("The agent cannot measure its own resource use: {}", why);
        lastFailure = why;
      }
      return Optional.empty();
    }
  }

  /** A new policy's budget; in the serial context. */
  public void policy(Policy policy) {
    budget.policy(BudgetPolicy.from(requireNonNull(policy, "policy")));
  }

  /** The current slow factor (1: normal pace). */
  public int slowFactor() {
    return budget.slowFactor();
  }

  /**
   * Decides on a reading taken at {@code now}; in the serial context.
   *
   * @param scanning a scan is running: a due restart waits for the next reading after it
   */
  public BudgetState observe(SelfUsage usage, Instant now, boolean scanning) {
    BudgetState state = budget.observe(usage, now);
    if (state.paceChanged()) {
      log.warn(state.cpuSlowed() ? "Over the CPU budget: sampling {}x slower. {}" : "CPU back under budget: "
          + "sampling at {}x. {}", state.slowFactor(), state.describe());
      actions.pace(state.slowFactor());
    }
    boolean restartNow = state.restart() && !scanning && !restarting;
    if (state.restartHeld()) {
      log.warn("Over the memory budget, but the agent restarted {} times in the last day: not again. {}",
          state.restartsToday(), state.describe());
    }
    AgentResources resources = toProto(state);
    latest = Optional.of(resources);
    if (resources.getBudgetState() != reportedState) {
      reportedState = resources.getBudgetState();
      actions.report(resources);
    }
    if (restartNow) {
      try {
        ledger.record(now);
      } catch (IOException e) {
        log.error("Over the memory budget, but the restart cannot be recorded ({}): not restarting. {}",
            e.toString(), state.describe());
        return state;
      }
      restarting = true;
      log.warn("Over the memory budget for {} min: restarting (exit code {}). {}", state.overMemoryMinutes(),
          EXIT_RESTART_FOR_MEMORY, state.describe());
      actions.restart(state);
    }
    return state;
  }

  /** What the next heartbeat reports: the newest reading and decision, if any. */
  public Optional<AgentResources> latest() {
    return latest;
  }

  /** The heartbeat's {@code resources}. */
  static AgentResources toProto(BudgetState s) {
    AgentResources.Builder b = AgentResources.newBuilder()
        .setRssBytes(s.usage().rssBytes())
        .setCpuPercent(s.cpuPercent())
        .setCpuPercentWindow(s.cpuPercentWindow())
        .setThreads(s.usage().threads())
        .setBudgetState(state(s))
        .setMemoryOverMinutes((int) Math.min(Integer.MAX_VALUE, s.overMemoryMinutes()))
        .setMemoryRestarts(s.restartsToday())
        .setMemoryBudgetBytes(s.policy().memoryBytes())
        .setCpuBudgetPercent(s.policy().cpuPercent())
        .setMeasured(Timestamps.fromMillis(s.at().toEpochMilli()));
    s.usage().anonBytes().ifPresent(b::setRssAnonBytes);
    s.usage().fileBytes().ifPresent(b::setRssFileBytes);
    s.lastRestart().ifPresent(r -> b.setRestartedForMemory(Timestamps.fromMillis(r.toEpochMilli())));
    return b.build();
  }

  private static AgentBudgetState state(BudgetState s) {
    if (s.overMemory() && s.cpuSlowed()) {
      return AgentBudgetState.AGENT_BUDGET_STATE_OVER_MEMORY_CPU_SLOWED;
    }
    if (s.overMemory()) {
      return AgentBudgetState.AGENT_BUDGET_STATE_OVER_MEMORY;
    }
    return s.cpuSlowed() ? AgentBudgetState.AGENT_BUDGET_STATE_CPU_SLOWED : AgentBudgetState.AGENT_BUDGET_STATE_WITHIN;
  }
}
