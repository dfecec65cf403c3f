package io.labscan.agent;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.ReportSender;
import io.labscan.proto.v1.Command;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's command stream: kept open (reopened with backoff when it ends), reopened on
 * request (new address, renewed certificate), and each command handed to {@code onCommand}.
 *
 * <p>The open stream is replaced only in the runtime's serial context; gRPC's callback threads
 * and the background executor's retries enqueue there. {@code onCommand} is called on the gRPC
 * callback thread and must only enqueue or hand work on (it does: policies go to
 * {@link PolicyState#offer}, scans to the scan worker).
 *
 * <p>Public for the controller's fault tests, whose in-JVM agents listen with this very code.
 */
public final class CommandListener {
  private static final Logger log = LoggerFactory.getLogger(CommandListener.class);

  /**
   * Longest wait before reopening the stream (full jitter below it). Bounded well under a minute
   * so an agent whose controller died is listening on another within 60 s (failover: the
   * client has moved by the time the stream's error arrives, and a stream on a new controller
   * starts again at the shortest wait); a lone controller coming back sees its agents return
   * spread over these 30 s rather than in step.
   */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final SynchronizationContext serial;
  private final ControllerClient client;
  private final String hostId;
  private final ScheduledExecutorService background;
  private final Consumer<Command> onCommand;
  /** Cancels the open stream; nothing while none is open. Serial context only. */
  private AutoCloseable stream = () -> { };
  /** Serial context only. */
  private boolean closed;

  public CommandListener(SynchronizationContext serial, ControllerClient client, String hostId,
      ScheduledExecutorService background, Consumer<Command> onCommand) {
    this.serial = requireNonNull(serial, "serial");
    this.client = requireNonNull(client, "client");
    this.hostId = requireNonNull(hostId, "hostId");
    this.background = requireNonNull(background, "background");
    this.onCommand = requireNonNull(onCommand, "onCommand");
  }

  /** Opens the stream; any thread. */
  public void start() {
    serial.execute(() -> listen(1));
  }

  /**
   * Cancels the open stream; its error callback reopens it (over the client's current channel).
   * Any thread.
   */
  void reopen() {
    serial.execute(() -> closeQuietly(stream));
  }

  /** Stops listening for good; any thread. */
  public void close() {
    serial.execute(() -> {
      closed = true;
      closeQuietly(stream);
    });
  }

  private void listen(int attempt) {
    serial.throwIfNotInThisSynchronizationContext();
    if (closed) {
      return;
    }
    long generation = client.generation();
    stream = client.commands(hostId, new StreamObserver<>() {
      @Override
      public void onNext(Command command) {
        onCommand.accept(command);
      }

      @Override
      public void onError(Throwable t) {
        serial.execute(() -> retry(client.generation() != generation ? 0 : attempt, t));
      }

      @Override
      public void onCompleted() {
        onError(Status.UNAVAILABLE.withDescription("stream completed").asRuntimeException());
      }
    });
  }

  private void retry(int attempt, Throwable t) {
    if (closed) {
      return;
    }
    // Attempt 0: the client has just moved to another controller, where this is a first try, made
    // after the move's spread delay (ControllerClient: its agents do not all reconnect at once).
    Duration spread = client.firstContactDelay();
    Duration wait = attempt == 0 && !spread.isZero() ? spread : ReportSender.backoff(Math.max(1, attempt), MAX_BACKOFF);
    Status status = Status.fromThrowable(t);
    if (status.getCode() == Status.Code.UNAUTHENTICATED || status.getCode() == Status.Code.PERMISSION_DENIED) {
      log.warn("The controller refuses this agent ({}); retrying in {} ms.", status.getDescription(),
          wait.toMillis());
    } else {
      log.debug("Command stream closed ({}); reconnecting in {} ms.", status, wait.toMillis());
    }
    try {
      background.schedule(() -> serial.execute(() -> listen(Math.max(1, attempt) + 1)), wait.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("Not reconnecting: the agent is stopping.");
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      log.debug("Closing the command stream failed: {}", e.toString());
    }
  }
}
