package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
        announce(e, a, now);
      }
    });
    return evidence.map(e -> rules.evaluate(e, now));
  }

  /** Logs a changed verdict and tells the listeners. */
  private void announce(HostEvidence e, Assessment a, Instant now) {
    log.info("Host {} ({}) is now {}: {}", e.hostname().replaceAll("[^\\x20-\\x7e]", "?"), e.hostId(),
        a.verdict(), a.reasons().isEmpty() ? "" : a.reasons().get(0).text().replaceAll("[^\\x20-\\x7e]", "?"));
    for (VerdictListener listener : listeners) {
      try {
        listener.verdictChanged(e.hostId(), e.hostname(), a, now);
      } catch (RuntimeException failure) {
        log.warn("Verdict listener failed for {}: {}", e.hostId(), failure.toString());
      }
    }
  }

  /** Saves of a sweep in flight at once: they share the store's write transactions. */
  static final int SWEEP_BATCH = 512;

  private record Saved(HostEvidence evidence, Assessment assessment, CompletableFuture<Boolean> changed) {}

  /**
   * Recomputes every host. The saves are not awaited one by one (a commit per host made a
   * sweep of 100,000 hosts take minutes) but in batches of {@link #SWEEP_BATCH}, which the
   * store writes in shared transactions; changes are announced after each batch commits.
   */
  public int recomputeAll() {
    Instant now = clock.instant();
    List<Saved> inFlight = new ArrayList<>(SWEEP_BATCH);
    Function<String, Optional<HostEvidence>> sweep = repository.sweep(now, policy);
    int n = 0;
    for (String hostId : repository.hostIds()) {
      Optional<HostEvidence> evidence = sweep.apply(hostId);
      if (evidence.isPresent()) {
        Assessment a = rules.evaluate(evidence.get(), now);
        inFlight.add(new Saved(evidence.get(), a, repository.saveAssessmentLater(hostId, a, now)));
      }
      n++;
      if (inFlight.size() >= SWEEP_BATCH) {
        settle(inFlight, now);
      }
    }
    settle(inFlight, now);
    return n;
  }

  private void settle(List<Saved> inFlight, Instant now) {
    for (Saved s : inFlight) {
      try {
        if (s.changed().join()) {
          announce(s.evidence(), s.assessment(), now);
        }
      } catch (RuntimeException e) {
        log.warn("Verdict for {} not saved: {}", s.evidence().hostId(), e.getMessage());
      }
    }
    inFlight.clear();
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
