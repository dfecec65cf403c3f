package io.labscan.agent.registry;

/** A hive file that is not a registry hive, or whose structure is damaged; the message says where. */
public final class HiveFormatException extends Exception {
  private static final long serialVersionUID = 1L;

  public HiveFormatException(String message) {
    super(message);
  }
}
