package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.CommandStreamRequest;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.EnrollResponse;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.ReportRequest;
import io.labscan.proto.v1.RenewCertificateRequest;
import io.labscan.proto.v1.RenewCertificateResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of {@code labscan.v1.AgentService}. Every unary call has a deadline.
 *
 * <p><b>Failover.</b> Built with {@link #failingOver} over several {@link ControllerTargets}, the
 * client keeps one channel to one controller at a time and moves to the next target (round
 * robin, the list resolved again after each round) when the current one is unreachable: a call
 * fails with {@code UNAVAILABLE} (connection refused or reset, the controller shutting down), a
 * heartbeat fails with {@code DEADLINE_EXCEEDED} (a controller that accepts but never answers),
 * or the channel reports {@code TRANSIENT_FAILURE}. The old channel is shut down at once, which
 * ends the command stream on it with an error; its listener reopens the stream over the new
 * channel, and {@link #onFailover} listeners are told (the report sender then delivers the
 * spool there). A move is made at most once per connection: several calls failing on the same
 * dead controller move the client one step, not several.
 *
 * <p><b>Not for a database outage.</b> An {@code UNAVAILABLE} that carries the trailer
 * {@code labscan-unavailable: database} ({@link DatabaseUnavailability}) is not a move: the controller is
 * alive and says its database cannot be reached, and every controller shares that database, so
 * hopping would only spread the fleet at random and leave it there. The client keeps the
 * controller; the caller keeps its work and retries with backoff (the report sender keeps the
 * report in the spool). Transport failures (connection refused or reset, {@code TRANSIENT_FAILURE},
 * a silent controller, a controller shutting down) carry no such trailer and still fail over.
 *
 * <p><b>Back home.</b> With {@link #returnHome}, a client away from its home (the first target of
 * the round) probes home now and then and moves back once it has answered healthily for a while
 * ({@link HomeReturn} says when); the move is made as a failover is (the old channel shut down,
 * so the command stream reopens on home, listeners told, so the spool is delivered there under
 * the same report ids). Without it a restarted controller would stay empty.
 *
 * <p>Why hand-written switching rather than one channel with a multi-address resolver and the
 * {@code pick_first} policy: {@code pick_first} starts every reconnection at the first address,
 * so a controller that hangs (accepts TCP, never answers) is dialled again first after each
 * failure, costing a handshake timeout every time, and gRPC cannot see a hung-but-connected
 * peer before keepalive fires; {@code round_robin} connects to every controller at once, which
 * doubles the fleet's connections and TLS handshakes. The switching itself stays small (one
 * lock, one index); the rest is gRPC's: each channel dials one resolved address with
 * {@code overrideAuthority}, so TLS verifies the configured name, and gRPC's keepalive and
 * connection states are the failure signals. With one target nothing moves and the channel
 * behaves exactly as before (gRPC reconnects to the same address).
 *
 * <p><b>Spread.</b> The round starts at the host's home target and goes on in the host's own
 * order ({@link ControllerTargets#forHost}), so the agents of a fleet are spread over its
 * controllers, and the agents of a controller that dies spread over the others. Those agents all
 * notice the death in the same instant when the connection is reset, so each move also draws a
 * {@link #firstContactDelay()}, uniform in {@code [0, }{@link #FAILOVER_SPREAD}{@code )}: the
 * command stream reopens and the spool is delivered on the new controller only then, and the new
 * controller sees its new agents' TLS handshakes spread over those seconds, not in one burst.
 * The new channel itself connects lazily, on its first call, so nothing else needs to wait.
 * (gRPC's own reconnect backoff jitters, but only the retries of one channel to one address; a
 * failover opens a new channel, whose first connection is immediate.) The spread is kept short
 * because the 60 s bound of a failover includes it: keepalive notices a hung controller within
 * 50 s, plus at most 5 s.
 */
public final class ControllerClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControllerClient.class);

  static final Duration ENROLL_DEADLINE = Duration.ofSeconds(20);
  static final Duration REPORT_DEADLINE = Duration.ofSeconds(30);
  static final Duration HEARTBEAT_DEADLINE = Duration.ofSeconds(10);

  static final Duration RENEW_DEADLINE = Duration.ofSeconds(20);

  /** After a move, the first contact with the new controller waits up to this long (see the class comment). */
  public static final Duration FAILOVER_SPREAD = Duration.ofSeconds(5);

  /** The channel and its stubs, swapped as one when the certificate is renewed or the client fails over. */
  private record Connection(ManagedChannel channel, AgentServiceGrpc.AgentServiceBlockingStub blocking,
      AgentServiceGrpc.AgentServiceStub async, String target, long generation, Duration firstContactDelay) {
    static Connection over(ManagedChannel channel, String target, long generation) {
      return over(channel, target, generation, Duration.ZERO);
    }

    static Connection over(ManagedChannel channel, String target, long generation, Duration firstContactDelay) {
      return new Connection(channel, AgentServiceGrpc.newBlockingStub(channel), AgentServiceGrpc.newStub(channel),
          target, generation, firstContactDelay);
    }
  }

  /** Where to fail over to; null for a client on one fixed channel. */
  private final @Nullable ControllerTargets targets;
  private final List<Runnable> failoverListeners = new CopyOnWriteArrayList<>();
  private volatile Connection connection;
  /** Guarded by this. */
  private Function<ControllerTargets.Target, ManagedChannel> channels = t -> {
    throw new IllegalStateException("a client on one fixed channel does not open channels");
  };
  /** Guarded by this: the current round of targets and the one in use. */
  private volatile List<ControllerTargets.Target> round = List.of();
  private int index;
  private boolean closed;
  /** Set by {@link #returnHome}; null while the client stays where failover put it. Guarded by this. */
  private @Nullable HomeReturn homeReturn;
  private Clock clock = Clock.systemUTC();

  /** A client on one fixed channel (enrolment, tests): it never fails over. */
  public ControllerClient(ManagedChannel channel) {
    this.targets = null;
    this.connection = Connection.over(requireNonNull(channel, "channel"), channel.authority(), 0);
  }

  private ControllerClient(ControllerTargets targets, Function<ControllerTargets.Target, ManagedChannel> channels) {
    this.targets = targets;
    this.channels = channels;
    this.round = targets.expand();
    this.index = 0;
    ControllerTargets.Target first = round.get(0);
    this.connection = Connection.over(channels.apply(first), first.toString(), 0);
    watch(connection);
  }

  /**
   * A client over {@code targets}, starting with the first of {@link ControllerTargets#expand}
   * (the host's home for {@link ControllerTargets#forHost}), that fails over as the class
   * comment says; {@code channels} opens a channel to one target (mutual TLS with the agent's
   * credentials, or plaintext).
   */
  public static ControllerClient failingOver(ControllerTargets targets,
      Function<ControllerTargets.Target, ManagedChannel> channels) {
    return new ControllerClient(requireNonNull(targets, "targets"), requireNonNull(channels, "channels"));
  }

  /** Tells {@code listener} (on the thread that noticed the failure; it must only hand work on) after each move. */
  public void onFailover(Runnable listener) {
    failoverListeners.add(requireNonNull(listener, "listener"));
  }

  /** Counts the channels this client has used: changes on every failover and channel swap. */
  public long generation() {
    return connection.generation();
  }

  /**
   * How long the callers that keep a connection busy (the command stream, the report sender)
   * wait before their first call on the channel in use: zero for the first channel and after a
   * certificate renewal, uniform in {@code [0, FAILOVER_SPREAD)} after a failover (see the class
   * comment), drawn once per move.
   */
  public Duration firstContactDelay() {
    return connection.firstContactDelay();
  }

  /** The controller in use, for logs and status ({@code HOST:PORT}, with the dialled address when expanded). */
  public String target() {
    return connection.target();
  }

  /**
   * Makes every later call use {@code next} (new credentials: its TLS context presents the
   * renewed certificate and resumes no session of the old one). Calls in flight finish on the
   * old channel, which then closes; a stream on it ends when the caller cancels it.
   */
  public synchronized void useChannel(ManagedChannel next) {
    requireNonNull(next, "next");
    if (closed) {
      next.shutdownNow();
      return;
    }
    Connection old = connection;
    connection = Connection.over(next, old.target(), old.generation() + 1);
    old.channel().shutdown();
  }

  /**
   * Opens every later channel with {@code next} (renewed credentials), starting with a new one to
   * the controller in use; for a client on one fixed channel, use {@link #useChannel}.
   */
  public synchronized void useChannels(Function<ControllerTargets.Target, ManagedChannel> next) {
    requireNonNull(next, "next");
    if (targets == null) {
      throw new IllegalStateException("a client on one fixed channel: use useChannel");
    }
    channels = next;
    if (closed) {
      return;
    }
    Connection old = connection;
    connection = Connection.over(next.apply(round.get(index)), old.target(), old.generation() + 1);
    old.channel().shutdown();
    watch(connection);
  }

  public EnrollResponse enroll(EnrollRequest request) {
    Connection c = connection;
    try {
      return c.blocking().withDeadlineAfter(ENROLL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).enroll(request);
    } catch (StatusRuntimeException e) {
      throw failed(c, e, false);
    }
  }

  public ReportAck report(Report report) {
    Connection c = connection;
    try {
      return c.blocking().withDeadlineAfter(REPORT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .report(ReportRequest.newBuilder().setReport(report).build());
    } catch (StatusRuntimeException e) {
      // Not DEADLINE_EXCEEDED: a large report to a busy controller may take long; the heartbeat
      // (small, answered from memory) is the probe for a controller that stopped answering.
      throw failed(c, e, false);
    }
  }

  public HeartbeatResponse heartbeat(HeartbeatRequest request) {
    Connection c = connection;
    try {
      return c.blocking().withDeadlineAfter(HEARTBEAT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .heartbeat(request);
    } catch (StatusRuntimeException e) {
      throw failed(c, e, true);
    }
  }

  public RenewCertificateResponse renewCertificate(RenewCertificateRequest request) {
    Connection c = connection;
    try {
      return c.blocking().withDeadlineAfter(RENEW_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
          .renewCertificate(request);
    } catch (StatusRuntimeException e) {
      throw failed(c, e, false);
    }
  }

  /**
   * Opens the command stream. It has no deadline on purpose: it lives as long as the
   * connection; keepalive detects a dead peer and the caller reconnects on error. An
   * {@code UNAVAILABLE} end fails over (see the class comment) before {@code observer} hears of it,
   * so its reconnection already goes to the next controller.
   *
   * @return closing it cancels the stream ({@code observer} then gets {@code CANCELLED})
   */
  public AutoCloseable commands(String hostId, StreamObserver<Command> observer) {
    requireNonNull(observer, "observer");
    Context.CancellableContext call = Context.current().withCancellation();
    Connection c = connection;
    StreamObserver<Command> watched = new StreamObserver<>() {
      @Override
      public void onNext(Command command) {
        observer.onNext(command);
      }

      @Override
      public void onError(Throwable t) {
        if (t instanceof StatusRuntimeException e) {
          failed(c, e, false);
        }
        observer.onError(t);
      }

      @Override
      public void onCompleted() {
        observer.onCompleted();
      }
    };
    call.run(() -> c.async().commands(CommandStreamRequest.newBuilder().setHostId(hostId).build(), watched));
    return () -> call.cancel(null);
  }

  /**
   * Drops the channel's connection for the next call to open a fresh one. For when this host's
   * addresses changed: a connection from an address the host no longer has is dead, but would
   * only be found so by keepalive, tens of seconds later. Calls in flight finish on it.
   */
  public void reconnect() {
    connection.channel().enterIdle();
  }

  /**
   * Fails over when {@code e} says the controller of {@code c} is unreachable (not when it says
   * its database is: see the class comment); returns {@code e}.
   */
  private StatusRuntimeException failed(Connection c, StatusRuntimeException e, boolean deadlineMeansDead) {
    Status.Code code = e.getStatus().getCode();
    if (DatabaseUnavailability.isDatabaseUnavailable(e)) {
      log.debug("Controller {} cannot reach its database ({}); staying with it.", c.target(),
          e.getStatus().getDescription());
      return e;
    }
    if (code == Status.Code.UNAVAILABLE || (deadlineMeansDead && code == Status.Code.DEADLINE_EXCEEDED)) {
      failover(c, code.name() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()));
    }
    return e;
  }

  /** Follows the channel's state; {@code TRANSIENT_FAILURE} (no connection could be made) fails over. */
  private void watch(Connection c) {
    if (targets == null) {
      return;
    }
    ConnectivityState state = c.channel().getState(false);
    if (state == ConnectivityState.SHUTDOWN) {
      return;
    }
    if (state == ConnectivityState.TRANSIENT_FAILURE) {
      failover(c, "channel in TRANSIENT_FAILURE");
      return;
    }
    c.channel().notifyWhenStateChanged(state, () -> watch(c));
  }

  /**
   * Moves to the next target unless {@code seen} is no longer the connection in use (another
   * failure already moved the client, or a renewal replaced the channel). Returns whether it moved.
   */
  boolean failover(Connection seen, String why) {
    Connection next;
    synchronized (this) {
      if (closed || targets == null || connection != seen || round.size() < 2) {
        return false;
      }
      HomeReturn back = homeReturn;
      if (index == 0 && back != null) {
        back.leftHome(clock.instant());
      }
      if (index + 1 < round.size()) {
        index++;
      } else {
        // Once round: resolve again (DNS may have changed), start from the first (the host's home).
        round = requireNonNull(targets, "targets").expand();
        index = 0;
      }
      ControllerTargets.Target target = round.get(index);
      next = Connection.over(channels.apply(target), target.toString(), seen.generation() + 1,
          Duration.ofMillis(ThreadLocalRandom.current().nextLong(FAILOVER_SPREAD.toMillis())));
      connection = next;
    }
    log.warn("Controller {} unreachable ({}); moving to {} (first contact in {} ms).", seen.target(), why,
        next.target(), next.firstContactDelay().toMillis());
    switched(seen, next);
    return true;
  }

  /** After a move from {@code seen} to {@code next}: what every move does (class comment). */
  private void switched(Connection seen, Connection next) {
    // At once: calls and the command stream still on the old controller end now and retry on the new one.
    seen.channel().shutdownNow();
    watch(next);
    for (Runnable listener : failoverListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("Failover listener failed: {}", e.toString());
      }
    }
  }

  /**
   * Makes the client go back to its home controller when it is away from it (class comment), with
   * {@link HomeReturn.Settings#DEFAULT}: {@code probe} makes the heartbeat sent to home as the probe,
   * {@code scheduler} runs the probes (each only starts the call; the answer arrives on gRPC's
   * threads). A client on one fixed channel, or with one target, has nowhere to return to.
   */
  public void returnHome(ScheduledExecutorService scheduler, Supplier<HeartbeatRequest> probe) {
    returnHome(scheduler, probe, HomeReturn.Settings.DEFAULT, Clock.systemUTC());
  }

  /** {@link #returnHome(ScheduledExecutorService, Supplier)} with other settings and clock (tests, fault tests). */
  public void returnHome(ScheduledExecutorService scheduler, Supplier<HeartbeatRequest> probe,
      HomeReturn.Settings settings, Clock clock) {
    requireNonNull(scheduler, "scheduler");
    requireNonNull(probe, "probe");
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    HomeReturn back = new HomeReturn(settings);
    synchronized (this) {
      if (targets == null || homeReturn != null) {
        return;
      }
      this.clock = clock;
      this.homeReturn = back;
    }
    scheduleHomeProbe(scheduler, probe, back);
  }

  private void scheduleHomeProbe(ScheduledExecutorService scheduler, Supplier<HeartbeatRequest> probe,
      HomeReturn back) {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    long delay = back.nextDelay(ThreadLocalRandom.current().nextDouble()).toMillis();
    try {
      scheduler.schedule(() -> probeHome(scheduler, probe, back), delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Not probing the home controller: the agent is stopping.");
    }
  }

  /**
   * One probe of home, when away from it: a heartbeat on a channel of its own. The next probe is
   * scheduled when this one has ended (one at a time). When {@link HomeReturn} says to return, the
   * probe's channel becomes the connection (no second handshake).
   */
  private void probeHome(ScheduledExecutorService scheduler, Supplier<HeartbeatRequest> probe, HomeReturn back) {
    ControllerTargets.Target home;
    Connection seen;
    ManagedChannel channel;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (index == 0) {
        scheduleHomeProbe(scheduler, probe, back); // at home: nothing to probe now
        return;
      }
      home = round.get(0);
      seen = connection;
      try {
        channel = channels.apply(home);
      } catch (RuntimeException e) {
        log.debug("Cannot open a channel to the home controller {}: {}", home, e.toString());
        scheduleHomeProbe(scheduler, probe, back);
        return;
      }
    }
    HeartbeatRequest request;
    try {
      request = probe.get();
    } catch (RuntimeException e) {
      channel.shutdownNow();
      log.debug("No heartbeat to probe the home controller with: {}", e.toString());
      scheduleHomeProbe(scheduler, probe, back);
      return;
    }
    AgentServiceGrpc.newStub(channel).withDeadlineAfter(HEARTBEAT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .heartbeat(request, new StreamObserver<>() {
          @Override
          public void onNext(HeartbeatResponse value) {
            // healthy: decided on completion
          }

          @Override
          public void onError(Throwable t) {
            channel.shutdownNow();
            back.probed(false, clock.instant());
            log.debug("Home controller {} not healthy yet: {}", home, Status.fromThrowable(t));
            scheduleHomeProbe(scheduler, probe, back);
          }

          @Override
          public void onCompleted() {
            boolean moved = back.probed(true, clock.instant()) == HomeReturn.Decision.RETURN
                && moveHome(seen, home, channel);
            if (!moved) {
              channel.shutdownNow();
            }
            scheduleHomeProbe(scheduler, probe, back);
          }
        });
  }

  /** Moves back to {@code home} over {@code channel} unless something else moved the client since {@code seen}. */
  private boolean moveHome(Connection seen, ControllerTargets.Target home, ManagedChannel channel) {
    Connection next;
    synchronized (this) {
      if (closed || connection != seen || index == 0 || round.isEmpty() || !round.get(0).equals(home)) {
        return false;
      }
      index = 0;
      next = Connection.over(channel, home.toString(), seen.generation() + 1,
          Duration.ofMillis(ThreadLocalRandom.current().nextLong(FAILOVER_SPREAD.toMillis())));
      connection = next;
    }
    log.info("Home controller {} healthy again; moving back from {} (first contact in {} ms).", next.target(),
        seen.target(), next.firstContactDelay().toMillis());
    switched(seen, next);
    return true;
  }

  @Override
  public void close() {
    ManagedChannel channel;
    synchronized (this) {
      closed = true;
      channel = connection.channel();
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
