package io.labscan.agent.transport;

/**
 * Enrolment did not succeed. {@link #retryable()} tells a controller that could not be
 * reached (try again later) from a refusal that no retry can fix (bad token, wrong CA).
 */
public final class EnrolmentException extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  public EnrolmentException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
