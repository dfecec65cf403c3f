package io.labscan.agent.worker;

/** A scan that produced no usable report (worker crash, timeout, unreadable report). */
public final class ScanFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ScanFailedException(String message) {
    super(message);
  }

  public ScanFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
