package io.labscan.contract.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Why a controller answered {@code UNAVAILABLE}, told to the agent in a gRPC trailer: one
 * definition for both sides of {@code labscan.v1.AgentService}.
 *
 * <h2>The trailer</h2>
 * {@code labscan-unavailable: database} on an {@code UNAVAILABLE} answer means "this controller
 * is alive and answering, but its database cannot be reached right now" (the connection was
 * lost, the server is restarting, the writer's circuit is open). Several controllers share one
 * database, so another controller would refuse the same way: the agent keeps its controller, keeps
 * the report in its spool and retries with backoff and jitter, and does <em>not</em> fail over.
 *
 * <p>An {@code UNAVAILABLE} without this trailer keeps its old meaning: the controller itself is
 * unreachable or going away (connection refused or reset, {@code TRANSIENT_FAILURE}, a
 * controller shutting down, an old controller that does not know the trailer), and the agent
 * fails over as before. So the trailer only ever removes pointless moves; an agent that ignores it
 * (an older agent) still delivers everything, it only hops more.
 *
 * <p>The value is one lower-case word so that later reasons can be added without a new key; a
 * receiver treats a value it does not know as no trailer at all.
 */
public final class Unavailability {
  /** The trailer's name (ASCII metadata, lower case as gRPC requires). */
  public static final String TRAILER = "labscan-unavailable";
  /** The trailer's value when the controller's database is unreachable. */
  public static final String DATABASE = "database";
  /** {@link #TRAILER} as a gRPC metadata key. */
  public static final Metadata.Key<String> KEY = Metadata.Key.of(TRAILER, Metadata.ASCII_STRING_MARSHALLER);

  private Unavailability() {}

  /** Trailers saying that the database is unreachable (for {@code Status.asRuntimeException(Metadata)}). */
  public static Metadata databaseTrailers() {
    Metadata trailers = new Metadata();
    trailers.put(KEY, DATABASE);
    return trailers;
  }

  /** An {@code UNAVAILABLE} answer naming the database as the reason, with {@code description} for people. */
  public static StatusRuntimeException databaseUnavailable(String description) {
    requireNonNull(description, "description");
    return Status.UNAVAILABLE.withDescription(description).asRuntimeException(databaseTrailers());
  }

  /** The reason a failed call carries in {@link #TRAILER}, if it has one. */
  public static Optional<String> reason(@Nullable Throwable failure) {
    if (failure == null) {
      return Optional.empty();
    }
    Metadata trailers = Status.trailersFromThrowable(failure);
    if (trailers == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(trailers.get(KEY));
  }

  /**
   * Whether {@code failure} is an {@code UNAVAILABLE} answer from a controller whose database is
   * unreachable: the agent keeps that controller and retries later (see the class comment).
   */
  public static boolean isDatabaseUnavailable(@Nullable Throwable failure) {
    return failure != null
        && Status.fromThrowable(failure).getCode() == Status.Code.UNAVAILABLE
        && reason(failure).filter(DATABASE::equals).isPresent();
  }
}
