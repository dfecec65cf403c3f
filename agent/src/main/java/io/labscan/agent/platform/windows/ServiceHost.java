package io.labscan.agent.platform.windows;

/** Connects this process to the operating system's service manager and runs one service in it. */
public interface ServiceHost {
  /**
   * Runs {@code body} as the service {@code serviceName} until the service manager stops it.
   *
   * @throws NotStartedAsServiceException when the process was started from a console, not by the service manager
   */
  void run(String serviceName, ServiceBody body) throws NotStartedAsServiceException;

  /** The process is not a service process (ERROR_FAILED_SERVICE_CONTROLLER_CONNECT). */
  final class NotStartedAsServiceException extends Exception {
    private static final long serialVersionUID = 1L;

    public NotStartedAsServiceException(String message) {
      super(message);
    }
  }
}
