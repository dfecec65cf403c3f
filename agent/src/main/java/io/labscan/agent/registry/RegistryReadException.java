package io.labscan.agent.registry;

/** The registry could not be read (access denied, key vanished mid-read, API failure). */
public final class RegistryReadException extends Exception {
  public RegistryReadException(String message, Throwable cause) {
    super(message, cause);
  }

  public RegistryReadException(String message) {
    super(message);
  }
}
