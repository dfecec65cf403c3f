package io.labscan.agent.platform.windows;

import org.jspecify.annotations.Nullable;

/** What the service runs: started once, closed once when the SCM asks it to stop. */
@FunctionalInterface
public interface ServiceBody {
  /**
   * Starts the work and returns the handle that stops it.
   *
   * @throws ServiceStartException with the exit code the SCM should record
   */
  AutoCloseable start() throws ServiceStartException;

  /** The service could not start; {@code exitCode} follows the agent's CLI (2: bad input, 1: failure). */
  final class ServiceStartException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public ServiceStartException(@Nullable String message, int exitCode, @Nullable Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }
}
