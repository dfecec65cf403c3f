package io.labscan.controller.verdict;

import io.labscan.controller.text.LogText;
import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps verdicts current: recomputes a host when its evidence arrives, and every host once a
 * minute, because UNKNOWN depends on time.
 *
 * <p>Evidence is not looked at report by report: hosts whose evidence arrived wait up to
 * {@link #DEFAULT_COALESCE} and are then recomputed together, each once however many of its
 * reports came in, with their saves sharing the store's write transactions. One recompute per
 * report, each waiting for its own commit, could not keep up with a fleet's nightly reports
 * and competed with their ingest for the single writer.
 */
public final class VerdictService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VerdictService.class);

  private final VerdictRepository repository;
  private final VerdictRules rules;
  private final VerdictPolicy policy;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Duration coalesce;
  /** Hosts whose evidence arrived since the last drain (at most one entry per host). */
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  /** True while a drain of {@link #pending} is scheduled and has not yet started. */
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final List<VerdictListener> listeners = new CopyOnWriteArrayList<>();

  /** How long arriving evidence waits, by default, so that a host's reports are looked at once. */
  public static final Duration DEFAULT_COALESCE = Duration.ofSeconds(1);

  public VerdictService(VerdictRepository repository, VerdictPolicy policy, Clock clock) {
    this(repository, policy, clock, DEFAULT_COALESCE);
  }

  /** @param coalesce how long arriving evidence waits for more before its hosts are recomputed */
  public VerdictService(VerdictRepository repository, VerdictPolicy policy, Clock clock, Duration coalesce) {
    this.coalesce = requireNonNull(coalesce, "coalesce");
    if (coalesce.isNegative()) {
      throw new IllegalArgumentException("coalesce must not be negative: " + coalesce);
    }
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
    return startSweeping(() -> true);
  }

  /**
   * Starts the periodic sweep, each round only when {@code mayRun} says so right before it: the
   * controller holding the verdict sweeps' lock sweeps, the others do not (issue 20).
   */
  public VerdictService startSweeping(java.util.function.BooleanSupplier mayRun) {
    requireNonNull(mayRun, "mayRun");
    executor.scheduleWithFixedDelay(() -> {
      if (mayRun.getAsBoolean()) {
        sweepQuietly();
      }
    }, 1, 60, TimeUnit.SECONDS);
    return this;
  }

  /**
   * Schedules a recompute of one host within the coalescing interval; every host whose
   * evidence arrived in the meantime is recomputed with it, each once.
   */
  public void evidenceArrived(String hostId) {
    requireNonNull(hostId, "hostId");
    pending.add(hostId);
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        executor.schedule(this::drainPending, coalesce.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        drainScheduled.set(false); // closing: the next start's sweep looks at every host anyway
      }
    }
  }

  /** Recomputes the hosts whose evidence arrived; runs on the verdict thread. */
  private void drainPending() {
    // Cleared before the hosts are taken: evidence arriving from here on schedules the next
    // drain, so none is left waiting (at worst a host is recomputed once more).
    drainScheduled.set(false);
    List<String> hosts = new ArrayList<>();
    for (Iterator<String> it = pending.iterator(); it.hasNext(); ) {
      hosts.add(it.next());
      it.remove();
    }
    if (hosts.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    try {
      recompute(hosts, hostId -> repository.evidence(hostId, now, policy), now, (done, total) -> { });
    } catch (RuntimeException e) {
      log.warn("Verdicts of {} hosts not recomputed: {}", hosts.size(), e.getMessage());
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
      announceConflicts(e, a, now);
    });
    return evidence.map(e -> rules.evaluate(e, now));
  }

  /** Characters a log line does not carry from hostile text (control, non-ASCII). */

  /**
   * {@code text} with every unprintable character as "?". Compiled once: a cold sweep announces
   * every host, and {@code String.replaceAll} compiles its pattern on each call.
   */
  private static String printable(String text) {
    return LogText.of(text);
  }

  /**
   * Conflicts already announced, per host (keys of {@link HostEvidence.Conflict}): each is
   * announced once while it lasts. Held in memory, so a restart announces open conflicts again.
   */
  private final Map<String, Set<String>> announcedConflicts = new ConcurrentHashMap<>();

  /** Tells the listeners about address conflicts of this host not announced before. */
  private void announceConflicts(HostEvidence e, Assessment a, Instant now) {
    if (e.addressConflicts().isEmpty()) {
      announcedConflicts.remove(e.hostId());
      return;
    }
    Set<String> keys = new HashSet<>();
    e.addressConflicts().forEach(k -> keys.add(k.key()));
    Set<String> before = announcedConflicts.put(e.hostId(), keys);
    List<Reason> reasons = a.reasons().stream().filter(r -> VerdictRules.ADDRESS_CONFLICT.equals(r.code())).toList();
    for (int i = 0; i < e.addressConflicts().size() && i < reasons.size(); i++) {
      if (before != null && before.contains(e.addressConflicts().get(i).key())) {
        continue;
      }
      if (log.isWarnEnabled()) {
        log.warn("Address conflict: {}", printable(reasons.get(i).text()));
      }
      for (VerdictListener listener : listeners) {
        try {
          listener.addressConflict(e.hostId(), e.hostname(), a, reasons.get(i), now);
        } catch (RuntimeException failure) {
          log.warn("Verdict listener failed for {}: {}", e.hostId(), failure.toString());
        }
      }
    }
  }

  /** Logs a changed verdict and tells the listeners. */
  private void announce(HostEvidence e, Assessment a, Instant now) {
    if (log.isInfoEnabled()) {
      log.info("Host {} ({}) is now {}: {}", printable(e.hostname()), e.hostId(), a.verdict(),
          a.reasons().isEmpty() ? "" : printable(a.reasons().get(0).text()));
    }
    for (VerdictListener listener : listeners) {
      try {
        listener.verdictChanged(e.hostId(), e.hostname(), a, now);
      } catch (RuntimeException failure) {
        log.warn("Verdict listener failed for {}: {}", e.hostId(), failure.toString());
      }
    }
  }

  /** Hosts of a sweep saved together: one write task, one set-wise read of their current verdicts. */
  static final int SWEEP_BATCH = 512;

  private record Evaluated(HostEvidence evidence, Assessment assessment) {}

  private record Saved(HostEvidence evidence, Assessment assessment, CompletableFuture<Boolean> changed) {}

  /**
   * Recomputes every host. The saves are not awaited one by one (a commit per host made a
   * sweep of 100,000 hosts take minutes) but written in batches of {@link #SWEEP_BATCH};
   * changes are announced after each batch commits.
   */
  public int recomputeAll() {
    return recomputeAll((done, total) -> { });
  }

  /**
   * {@link #recomputeAll()}, telling {@code progress} (hosts done, hosts in all) after each
   * batch was evaluated and handed to the store (the CLI's progress line).
   */
  public int recomputeAll(BiConsumer<Integer, Integer> progress) {
    requireNonNull(progress, "progress");
    Instant now = clock.instant();
    return recompute(repository.hostIds(), repository.sweep(now, policy), now, progress);
  }

  /**
   * Recomputes {@code hostIds} at {@code now} in batches of {@link #SWEEP_BATCH}: a batch's
   * evidence is read at once, its saves written together. A batch's commit is awaited only
   * after the next batch was evaluated and handed over: the store's writer (and its fsync)
   * works while this thread reads evidence, instead of each waiting for the other. At most
   * two batches are in flight.
   */
  private int recompute(List<String> hostIds, VerdictRepository.Sweep sweep, Instant now,
      BiConsumer<Integer, Integer> progress) {
    List<Saved> inFlight = List.of();
    Failures failures = new Failures();
    for (int from = 0; from < hostIds.size(); from += SWEEP_BATCH) {
      List<String> batch = hostIds.subList(from, Math.min(hostIds.size(), from + SWEEP_BATCH));
      Map<String, HostEvidence> found = evidence(batch, sweep, failures);
      List<Evaluated> evaluated = new ArrayList<>(batch.size());
      for (String hostId : batch) {
        HostEvidence evidence = found.get(hostId);
        if (evidence != null) {
          try {
            evaluated.add(new Evaluated(evidence, rules.evaluate(evidence, now)));
          } catch (RuntimeException e) {
            failures.add("not recomputed", hostId, e);
          }
        }
      }
      List<Saved> submitted = save(evaluated, now, failures);
      settle(inFlight, now, failures);
      inFlight = submitted;
      progress.accept(from + batch.size(), hostIds.size());
    }
    settle(inFlight, now, failures);
    failures.logSummary(hostIds.size());
    return hostIds.size();
  }

  /**
   * The evidence of a batch, read at once; should that fail, host by host, so that one
   * host's unreadable evidence leaves the others recomputed.
   */
  private static Map<String, HostEvidence> evidence(List<String> batch, VerdictRepository.Sweep sweep,
      Failures failures) {
    try {
      return sweep.evidenceOf(batch);
    } catch (RuntimeException batchFailure) {
      Map<String, HostEvidence> found = new HashMap<>();
      for (String hostId : batch) {
        try {
          sweep.apply(hostId).ifPresent(e -> found.put(hostId, e));
        } catch (RuntimeException e) {
          failures.add("not recomputed", hostId, e);
        }
      }
      return found;
    }
  }

  /** Hands a batch to the store; returns its saves, to be awaited. */
  private List<Saved> save(List<Evaluated> batch, Instant now, Failures failures) {
    if (batch.isEmpty()) {
      return List.of();
    }
    List<CompletableFuture<Boolean>> changed;
    try {
      changed = repository.saveAssessmentsLater(
          batch.stream().map(e -> new VerdictRepository.Assessed(e.evidence().hostId(), e.assessment())).toList(), now);
      if (changed.size() != batch.size()) {
        throw new IllegalStateException("the store answered " + changed.size() + " saves for " + batch.size());
      }
    } catch (RuntimeException e) {
      batch.forEach(b -> failures.add("not saved", b.evidence().hostId(), e));
      return List.of();
    }
    List<Saved> saved = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      saved.add(new Saved(batch.get(i).evidence(), batch.get(i).assessment(), changed.get(i)));
    }
    return saved;
  }

  private void settle(List<Saved> inFlight, Instant now, Failures failures) {
    for (Saved s : inFlight) {
      try {
        if (s.changed().join()) {
          announce(s.evidence(), s.assessment(), now);
        }
        announceConflicts(s.evidence(), s.assessment(), now);
      } catch (RuntimeException e) {
        failures.add("not saved", s.evidence().hostId(), e);
      }
    }
  }

  /**
   * Failures of one recompute run: the first is logged with its reason, the rest counted. A
   * broken or read-only database fails every host of a sweep alike; one line per host would
   * write 100,000 warnings a minute on a large fleet.
   */
  private static final class Failures {
    private int count;

    void add(String what, String hostId, RuntimeException e) {
      if (count++ == 0) {
        log.warn("Verdict for {} {}: {}", hostId, what, e.getMessage());
      }
    }

    void logSummary(int hosts) {
      if (count > 1) {
        log.warn("{} of {} verdicts not recomputed or not saved in this run (the first reason is logged above).",
            count, hosts);
      }
    }
  }

  /** Recomputes now the hosts whose evidence arrived, and waits for it (tests, CLI commands). */
  public void flush() {
    try {
      executor.submit(this::drainPending).get(60, TimeUnit.SECONDS);
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
