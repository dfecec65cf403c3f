package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.contract.transport.Unavailability;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Writes the {@link Unavailability} trailer on the controller's side: an {@code UNAVAILABLE}
 * answer that says "this controller is alive, its database is not", so that agents keep their
 * controller instead of failing over (see {@link Unavailability}).
 */
public final class DatabaseUnavailability {
  /** The trailer as a gRPC metadata key. */
  public static final Metadata.Key<String> KEY =
      Metadata.Key.of(Unavailability.TRAILER, Metadata.ASCII_STRING_MARSHALLER);

  private DatabaseUnavailability() {}

  /** An {@code UNAVAILABLE} answer naming the database as the reason, with {@code description} for people. */
  public static StatusRuntimeException databaseUnavailable(String description) {
    requireNonNull(description, "description");
    Metadata trailers = new Metadata();
    trailers.put(KEY, Unavailability.DATABASE);
    return Status.UNAVAILABLE.withDescription(description).asRuntimeException(trailers);
  }

  /** The reason a failed call carries in the trailer, if it has one (what an agent reads). */
  public static Optional<String> reason(@Nullable Throwable failure) {
    if (failure == null) {
      return Optional.empty();
    }
    Metadata trailers = Status.trailersFromThrowable(failure);
    return trailers == null ? Optional.empty() : Optional.ofNullable(trailers.get(KEY));
  }
}
