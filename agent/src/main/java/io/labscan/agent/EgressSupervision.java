package io.labscan.agent;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.ProcessInfo;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one SMTP egress watcher: started for a policy, replaced when a policy changes what
 * it watches, drained into reports, stopped at the end.
 *
 * <p><b>Why one lock.</b> Policies reach the agent from three threads at once: the command
 * stream's callback (a pushed update), the heartbeat (its answer carries the same update for an
 * agent that missed the push) and enrolment. Without a lock two of them could both see the old
 * watcher, both start a new one, and one would leak with its sampler thread and its nftables
 * rule. Every method here holds {@code this}: deciding whether the policy changed, stopping the
 * old watcher (draining its windows into the sink first, so a policy change loses no evidence)
 * and starting the new one happen as one step. The sink only spools (it never calls back here).
 */
final class EgressSupervision {
  private static final Logger log = LoggerFactory.getLogger(EgressSupervision.class);

  private final Function<Policy, EgressWatcher> start;
  private final Consumer<List<SmtpEgressWindow>> sink;
  private Optional<EgressWatcher> running = Optional.empty();
  private boolean stopped;

  /**
   * @param start starts a watcher for a policy (the platform's, in production); may throw when
   *     the platform cannot watch, and the agent then runs on without the egress watch
   * @param sink where drained windows go (the spool); called under this object's lock
   */
  EgressSupervision(Function<Policy, EgressWatcher> start, Consumer<List<SmtpEgressWindow>> sink) {
    this.start = requireNonNull(start, "start");
    this.sink = requireNonNull(sink, "sink");
  }

  /**
   * Watches as {@code policy} asks: nothing changes when the running watcher already watches
   * that way; otherwise the old watcher's windows are handed to the sink and a new one starts.
   *
   * @return whether a watcher was (re)started or dropped
   */
  synchronized boolean apply(Policy policy) {
    requireNonNull(policy, "policy");
    if (stopped) {
      return false;
    }
    EgressPolicy wanted = EgressPolicy.from(policy);
    if (running.isPresent() && running.get().policy().equals(wanted)) {
      return false;
    }
    running.ifPresent(w -> drain(w.stopAndDrainAll()));
    running = Optional.empty();
    try {
      running = Optional.of(start.apply(policy));
    } catch (RuntimeException | LinkageError e) {
      // Scans and reports matter more than the egress watch: run on without it.
      log.warn("SMTP egress watch unavailable: {}", e.toString());
    }
    return true;
  }

  /** Hands the completed windows of the running watcher to the sink. */
  synchronized void flush() {
    running.ifPresent(w -> drain(w.drainCompletedWindows()));
  }

  /**
   * The process the running watcher last attributed to a connection to {@code remote} by {@code
   * user} (the SMTP quarantine names refused attempts with it); empty when no watcher runs.
   */
  synchronized Optional<ProcessInfo> lastSender(Endpoint remote, String user) {
    return running.flatMap(w -> w.lastSender(remote, user));
  }

  /** The running watcher's policy, if one runs. */
  synchronized Optional<EgressPolicy> policy() {
    return running.map(EgressWatcher::policy);
  }

  /** Stops for good, handing every window (the open one ending now) to the sink. */
  synchronized void stop() {
    stopped = true;
    running.ifPresent(w -> drain(w.stopAndDrainAll()));
    running = Optional.empty();
  }

  private void drain(List<SmtpEgressWindow> windows) {
    if (!windows.isEmpty()) {
      sink.accept(windows);
    }
  }
}
