package io.labscan.agent.platform.windows;

import static java.util.Objects.requireNonNull;

import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.Winsvc;
import java.time.Duration;

/**
 * One report to the service control manager: the fields of SERVICE_STATUS that change (the
 * service type is always SERVICE_WIN32_OWN_PROCESS).
 *
 * @param state the current state
 * @param controlsAccepted SERVICE_ACCEPT_* bits; none while a state change is pending
 * @param win32ExitCode NO_ERROR, or ERROR_SERVICE_SPECIFIC_ERROR with {@code serviceExitCode}
 * @param serviceExitCode the agent's own exit code (2: bad configuration, 1: other failure,
 *     75: restarting for memory)
 * @param checkPoint counts up during a pending state; 0 otherwise
 * @param waitHint how long the SCM should wait for the next report in a pending state
 */
public record ServiceStatus(
    ServiceState state, int controlsAccepted, int win32ExitCode, int serviceExitCode,
    int checkPoint, Duration waitHint) {

  /** What a running agent accepts: stop (services.msc, sc stop) and system shutdown. */
  public static final int ACCEPTS_STOP_AND_SHUTDOWN = Winsvc.SERVICE_ACCEPT_STOP | Winsvc.SERVICE_ACCEPT_SHUTDOWN;

  public ServiceStatus {
    requireNonNull(state, "state");
    requireNonNull(waitHint, "waitHint");
  }

  static ServiceStatus pending(ServiceState state, int checkPoint, Duration waitHint) {
    return new ServiceStatus(state, 0, WinError.NO_ERROR, 0, checkPoint, waitHint);
  }

  static ServiceStatus running() {
    return new ServiceStatus(ServiceState.RUNNING, ACCEPTS_STOP_AND_SHUTDOWN, WinError.NO_ERROR, 0, 0, Duration.ZERO);
  }

  /** Stopped; a non-zero {@code serviceExitCode} tells the SCM (and its recovery actions) it failed. */
  static ServiceStatus stopped(int serviceExitCode) {
    return new ServiceStatus(ServiceState.STOPPED, 0,
        serviceExitCode == 0 ? WinError.NO_ERROR : WinError.ERROR_SERVICE_SPECIFIC_ERROR,
        serviceExitCode, 0, Duration.ZERO);
  }
}
