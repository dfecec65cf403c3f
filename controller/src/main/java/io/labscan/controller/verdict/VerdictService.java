package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps verdicts current: recomputes a host when its evidence arrives (coalescing bursts of
 * reports from one host), and every host once a minute, because UNKNOWN depends on time.
 */
public final class VerdictService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VerdictService.class);

  private final VerdictRepository repository;
  private final VerdictRules rules;
  private final VerdictPolicy policy;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();

  public VerdictService(VerdictRepository repository, VerdictPolicy policy, Clock clock) {
    this.repository = requireNonNull(repository, "repository");
    this.policy = requireNonNull(policy, "policy");
    this.rules = new VerdictRules(policy);
    this.clock = requireNonNull(clock, "clock");
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "labscan-verdicts");
      t.setDaemon(true);
      return t;
    });
  }

  /** Adds a listener told of every verdict change. */
  public void addListener(VerdictListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** Starts the periodic sweep. */
  public VerdictService startSweeping() {
    executor.scheduleWithFixedDelay(this::sweepQuietly, 1, 60, TimeUnit.SECONDS);
    return this;
  }

  /** Schedules a recompute of one host (bursts for the same host run once). */
  public void evidenceArrived(String hostId) {
    if (pending.add(hostId)) {
      executor.execute(() -> {
        pending.remove(hostId);
        try {
          recompute(hostId);
        } catch (RuntimeException e) {
          log.warn("Verdict for {} not recomputed: {}", hostId, e.getMessage());
        }
      });
    }
  }

  /** Recomputes one host now and saves the result. */
  public Optional<Assessment> recompute(String hostId) {
    Instant now = clock.instant();
    Optional<HostEvidence> evidence = repository.evidence(hostId, now, policy);
    evidence.ifPresent(e -> {
      Assessment a = rules.evaluate(e, now);
      if (repository.saveAssessment(hostId, a, now)) {
        log.info("Host {} ({}) is now {}: {}", e.hostname().replaceAll("[^\\x20-\\x7e]", "?"), hostId,
            a.verdict(), a.reasons().isEmpty() ? "" : a.reasons().get(0).text().replaceAll("[^\\x20-\\x7e]", "?"));
        for (VerdictListener listener : listeners) {
          try {
            listener.verdictChanged(hostId, e.hostname(), a, now);
          } catch (RuntimeException failure) {
            log.warn("Verdict listener failed for {}: {}", hostId, failure.toString());
          }
        }
      }
    });
    return evidence.map(e -> rules.evaluate(e, now));
  }

  /** Recomputes every host. */
  public int recomputeAll() {
    int n = 0;
    for (String hostId : repository.hostIds()) {
      recompute(hostId);
      n++;
    }
    return n;
  }

  /** Waits until queued recomputes have run (tests, CLI commands). */
  public void flush() {
    try {
      executor.submit(() -> { }).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("Verdict recompute did not finish: " + e.getMessage(), e);
    }
  }

  private void sweepQuietly() {
    try {
      recomputeAll();
    } catch (RuntimeException e) {
      log.warn("Verdict sweep failed: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
