package io.labscan.agent.transport;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.contract.transport.Unavailability;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads the controller's {@link Unavailability} trailer on a failed call: an {@code UNAVAILABLE}
 * carrying {@code labscan-unavailable: database} means the controller is alive but its database
 * is not, so the agent keeps that controller and retries (see {@link Unavailability}).
 */
final class DatabaseUnavailability {
  static final Metadata.Key<String> KEY =
      Metadata.Key.of(Unavailability.TRAILER, Metadata.ASCII_STRING_MARSHALLER);

  private DatabaseUnavailability() {}

  /** The reason a failed call carries in the trailer, if it has one. */
  static Optional<String> reason(@Nullable Throwable failure) {
    if (failure == null) {
      return Optional.empty();
    }
    Metadata trailers = Status.trailersFromThrowable(failure);
    return trailers == null ? Optional.empty() : Optional.ofNullable(trailers.get(KEY));
  }

  /** Whether {@code failure} is an {@code UNAVAILABLE} answer from a controller whose database is unreachable. */
  static boolean isDatabaseUnavailable(@Nullable Throwable failure) {
    return failure != null
        && Status.fromThrowable(failure).getCode() == Status.Code.UNAVAILABLE
        && reason(failure).filter(Unavailability.DATABASE::equals).isPresent();
  }

  /** Such an answer, as a controller sends it (for tests that stand in for a controller). */
  static StatusRuntimeException databaseUnavailable(String description) {
    Metadata trailers = new Metadata();
    trailers.put(KEY, Unavailability.DATABASE);
    return Status.UNAVAILABLE.withDescription(description).asRuntimeException(trailers);
  }
}
