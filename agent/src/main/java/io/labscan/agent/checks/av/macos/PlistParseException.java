package io.labscan.agent.checks.av.macos;

/** A property list that cannot be read; the message says why in plain words. */
public final class PlistParseException extends Exception {
  private static final long serialVersionUID = 1L;

  public PlistParseException(String message) {
    super(message);
  }

  public PlistParseException(String message, Throwable cause) {
    super(message, cause);
  }
}
