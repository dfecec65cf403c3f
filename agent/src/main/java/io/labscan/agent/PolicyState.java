package io.labscan.agent;

import static java.util.Objects.requireNonNull;

import io.grpc.SynchronizationContext;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.Policy;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force on this agent, and the one place a new one is accepted.
 *
 * <p>Policies arrive from three threads: the command stream's callback (a pushed update), the
 * heartbeat (its answer carries the same update for an agent that missed the push) and
 * enrolment. {@link #offer} may be called from any of them; it only enqueues on the runtime's
 * serial context, where the update is compared with the policy in force and — when newer and
 * different — applied by {@code onChange} (schedules and the egress watch restarted). Two
 * deliveries of one policy therefore apply it once, whichever order and threads they come in.
 */
final class PolicyState {
  private static final Logger log = LoggerFactory.getLogger(PolicyState.class);

  private final SynchronizationContext serial;
  private final Consumer<Policy> onChange;
  /** Written only in the serial context; read from anywhere. */
  private volatile Policy current = PolicyDefaults.defaults();
  /** Touched only in the serial context. */
  private boolean closed;

  /**
   * @param serial the runtime's serial context: every change happens there
   * @param onChange applies a policy that replaced the one in force; runs in {@code serial}
   */
  PolicyState(SynchronizationContext serial, Consumer<Policy> onChange) {
    this.serial = requireNonNull(serial, "serial");
    this.onChange = requireNonNull(onChange, "onChange");
  }

  /** The policy in force (the built-in defaults until the controller sends one). */
  Policy current() {
    return current;
  }

  /**
   * Applies {@code update} (defaults filled in) unless an equal or newer policy is in force. Any
   * thread; the change happens in the serial context, before this returns unless another thread
   * is draining it at the moment (then before that thread's call returns).
   */
  void offer(Policy update) {
    requireNonNull(update, "update");
    serial.execute(() -> apply(PolicyDefaults.withDefaults(update)));
  }

  /** Applies the policy in force once more (at start); any thread. */
  void applyCurrent() {
    serial.execute(() -> {
      if (!closed) {
        onChange.accept(current);
      }
    });
  }

  /** No policy is applied from here on; any thread. */
  void close() {
    serial.execute(() -> closed = true);
  }

  private void apply(Policy merged) {
    serial.throwIfNotInThisSynchronizationContext();
    Policy now = current;
    if (closed || merged.getVersion() < now.getVersion() || merged.equals(now)) {
      return;
    }
    current = merged;
    onChange.accept(merged);
    log.info("Policy version {} applied.", merged.getVersion());
  }
}
