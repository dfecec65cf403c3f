package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.SmtpEgressWindow;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches outbound SMTP: samples sockets every policy period on a daemon thread of its own,
 * takes connection events when an event source is given, and folds both into per-process
 * windows that the runtime collects with {@link #drainCompletedWindows()}.
 *
 * <p>Why sample so often: after QUIT the SMTP server closes first, so the client's socket
 * goes through CLOSE_WAIT/LAST_ACK and vanishes within milliseconds, leaving no TIME_WAIT on
 * the client. A 250 ms poll catches most sessions; the event source catches all of them.
 * An event whose connection the last sample did not already attribute also triggers an
 * extra sample, which often still finds the socket and so names its process; extra samples
 * are throttled ({@link EventSampleThrottle}: one pending at a time, 50 ms after the previous
 * sample at the earliest) so a burst of connections cannot keep the sampler busy.
 */
public final class EgressWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EgressWatcher.class);
  /** Events buffered between two samples; a flood past it is dropped and counted. */
  static final int EVENT_QUEUE = 10_000;

  private final EgressPolicy policy;
  private final ConnectionSource source;
  private final Optional<EgressEventSource> events;
  private final Clock clock;
  private final EgressAggregator aggregator;
  private final BlockingQueue<EgressEvent> pending = new ArrayBlockingQueue<>(EVENT_QUEUE);
  private final EventSampleThrottle throttle = new EventSampleThrottle(EventSampleThrottle.DEFAULT_MIN_GAP);
  private final AtomicLong extraSamples = new AtomicLong();
  /** Connections the last sample named the process of: their events need no extra sample. */
  private volatile Set<ConnectionKey> attributedInLastSample = Set.of();
  private final AtomicLong droppedEvents = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private final Object lock = new Object();
  private final ScheduledExecutorService executor;
  private volatile boolean closed;
  private volatile boolean eventsStarted;
  private String lastError = "";

  EgressWatcher(EgressPolicy policy, ConnectionSource source, Optional<EgressEventSource> events, Clock clock) {
    this.policy = requireNonNull(policy, "policy");
    this.source = requireNonNull(source, "source");
    this.events = requireNonNull(events, "events");
    this.clock = requireNonNull(clock, "clock");
    this.aggregator = new EgressAggregator(policy, clock.instant());
    ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "labscan-egress");
      t.setDaemon(true);
      return t;
    });
    ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.executor = ex;
  }

  /**
   * Starts watching: sampling at the policy period, plus {@code events} when given. An
   * event source that fails to start is logged and left out: polling still runs. The watcher
   * owns both sources from here on and closes them when it stops.
   */
  public static EgressWatcher start(EgressPolicy policy, ConnectionSource source,
      Optional<EgressEventSource> events, Clock clock) {
    EgressWatcher watcher = new EgressWatcher(policy, source, events, clock);
    watcher.startThreads();
    return watcher;
  }

  public EgressPolicy policy() {
    return policy;
  }

  /** Samples taken so far. */
  public long samples() {
    return samples.get();
  }

  /** Samples taken because an event asked for one (part of {@link #samples()}). */
  public long eventTriggeredSamples() {
    return extraSamples.get();
  }

  /** True when an event source is delivering events. */
  public boolean eventSourceRunning() {
    return eventsStarted;
  }

  private void startThreads() {
    if (events.isPresent()) {
      try {
        events.get().start(this::onEvent);
        eventsStarted = true;
        log.info("SMTP egress events from {}.", events.get().name());
      } catch (IOException | RuntimeException e) {
        log.warn("SMTP egress event source {} unavailable ({}); polling only.", events.get().name(),
            e.getMessage());
      }
    }
    long period = policy.samplePeriod().toMillis();
    executor.scheduleAtFixedRate(this::tickSafely, 0, period, TimeUnit.MILLISECONDS);
  }

  private void onEvent(EgressEvent event) {
    if (!pending.offer(event)) {
      droppedEvents.incrementAndGet();
    }
    if (closed || !wantsSampleFor(event)) {
      return;
    }
    // Sample soon: the socket of a short session may still be there to name its process.
    OptionalLong delay = throttle.request(System.nanoTime());
    if (delay.isPresent()) {
      try {
        executor.schedule(this::extraTick, delay.getAsLong(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        throttle.runRequested(); // closing
      }
    }
  }

  /** False when the last sample already named the process of the event's connection. */
  boolean wantsSampleFor(EgressEvent event) {
    return !attributedInLastSample.contains(new ConnectionKey(event.local(), event.remote()));
  }

  private void extraTick() {
    if (throttle.runRequested()) {
      extraSamples.incrementAndGet();
      tickSafely();
    }
  }

  /** A periodic task that throws is never run again: nothing may escape. */
  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException | Error e) {
      log.error("SMTP egress sampler failed: {}", e.toString(), e);
      if (e instanceof Error err && !(e instanceof LinkageError)) {
        throw err;
      }
    }
  }

  /** One sample plus the events that arrived since the last one. */
  void tick() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      throttle.sampleStarted(System.nanoTime());
      try {
        List<ConnectionObservation> sample = source.sample(policy.ports());
        Instant now = clock.instant();
        for (ConnectionObservation o : sample) {
          aggregator.observe(o, now);
        }
        if (events.isPresent()) {
          attributedInLastSample = attributed(sample);
        }
        samples.incrementAndGet();
        lastError = "";
      } catch (IOException | RuntimeException e) {
        String message = e.toString();
        if (!message.equals(lastError)) {
          log.warn("SMTP egress sample from {} failed: {}", source.name(), message);
          lastError = message;
        }
      }
      List<EgressEvent> batch = new ArrayList<>();
      pending.drainTo(batch);
      for (EgressEvent e : batch) {
        aggregator.observe(e);
      }
      long dropped = droppedEvents.getAndSet(0);
      if (dropped > 0) {
        log.warn("{} SMTP connection events dropped: more than {} between two samples.", dropped, EVENT_QUEUE);
      }
    }
  }

  private static Set<ConnectionKey> attributed(List<ConnectionObservation> sample) {
    Set<ConnectionKey> keys = new HashSet<>();
    for (ConnectionObservation o : sample) {
      if (o.owner().isAttributed()) {
        keys.add(new ConnectionKey(o.local(), o.remote()));
      }
    }
    return Set.copyOf(keys);
  }

  /** A connection's 4-tuple, as events and samples both give it. */
  private record ConnectionKey(Endpoint local, Endpoint remote) {}

  /**
   * The process last seen connecting to {@code remote} as {@code user} (see {@link
   * EgressAggregator#lastSender}); empty when none was attributed.
   */
  public Optional<ProcessInfo> lastSender(Endpoint remote, String user) {
    synchronized (lock) {
      return aggregator.lastSender(remote, user);
    }
  }

  /** Windows that have ended, for the next report; each window is handed out once. */
  public List<SmtpEgressWindow> drainCompletedWindows() {
    synchronized (lock) {
      return aggregator.drainCompleted(clock.instant());
    }
  }

  /** The open windows as they stand (diagnostics and tests); nothing is drained. */
  public List<SmtpEgressWindow> snapshot() {
    synchronized (lock) {
      return aggregator.snapshot(clock.instant());
    }
  }

  /**
   * Stops watching (as {@link #close()}), then hands out every window, the open one ending
   * now. For the diagnostic command and for a policy change.
   */
  public List<SmtpEgressWindow> stopAndDrainAll() {
    stopThreads();
    synchronized (lock) {
      // Events that arrived after the last sample still count.
      List<EgressEvent> batch = new ArrayList<>();
      pending.drainTo(batch);
      batch.forEach(aggregator::observe);
      closed = true;
      return aggregator.drainAll(clock.instant());
    }
  }

  @Override
  public void close() {
    stopThreads();
    synchronized (lock) {
      closed = true;
    }
  }

  private void stopThreads() {
    executor.shutdownNow();
    boolean stopped = false;
    try {
      stopped = executor.awaitTermination(5, TimeUnit.SECONDS);
      if (!stopped) {
        log.warn("SMTP egress sampler did not stop within 5 s.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    events.ifPresent(EgressEventSource::close);
    if (stopped) {
      // Not while a sample may still run: a descriptor closed under it could be reused.
      source.close();
    }
  }

  @Override
  public String toString() {
    return "EgressWatcher[" + source.name() + events.map(e -> ", " + e.name()).orElse("") + ", ports "
        + policy.ports() + "]";
  }
}
