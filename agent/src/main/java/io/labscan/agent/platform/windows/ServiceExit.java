package io.labscan.agent.platform.windows;

/**
 * How a running service body ends the service by itself, with a failure the service control
 * manager answers with its recovery actions (install.ps1: {@code sc.exe failure ... actions=
 * restart/60000/...} and {@code sc.exe failureflag ... 1}).
 *
 * <p>The agent uses it to restart for memory ({@link io.labscan.agent.selfwatch.SelfWatch}): the
 * service stops the way an operator's stop does (STOP_PENDING, the runtime closed: spool flushed
 * and closed, the open egress window spooled), then reports STOPPED with
 * ERROR_SERVICE_SPECIFIC_ERROR and the exit code given here, and the SCM starts it again.
 */
@FunctionalInterface
public interface ServiceExit {
  /**
   * Asks the service to stop with {@code serviceExitCode} (non-zero: a failure the SCM recovers
   * from). Returns at once (it only signals); the first stop asked, by the SCM or the body, wins.
   */
  void stopWith(int serviceExitCode);
}
