package io.labscan.controller.web;

import org.jspecify.annotations.Nullable;

/** An API failure with its HTTP status; the message is shown to the caller as {"error": …}. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final long retryAfterSeconds;

  ApiError(int status, @Nullable String message) {
    this(status, message, 0);
  }

  private ApiError(int status, @Nullable String message, long retryAfterSeconds) {
    // An exception without a message still answers with a message, never {"error": null}.
    super(message == null ? "request refused" : message, null, false, false);
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The text for {"error": …}; never null. */
  @Override
  public String getMessage() {
    String message = super.getMessage();
    return message == null ? "request refused" : message;
  }

  int status() {
    return status;
  }

  /** Seconds the client should wait before trying again (429 only). */
  long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  static ApiError tooManyAttempts(long retryAfterSeconds) {
    return new ApiError(429, "too many failed logins; try again later", Math.max(1, retryAfterSeconds));
  }

  static ApiError badRequest(@Nullable String message) {
    return new ApiError(400, message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, message);
  }
}
