package io.labscan.agent.platform.windows;

import com.sun.jna.platform.win32.Winsvc;

/** The service states the agent reports (SERVICE_STATUS.dwCurrentState); it never pauses. */
public enum ServiceState {
  STOPPED(Winsvc.SERVICE_STOPPED),
  START_PENDING(Winsvc.SERVICE_START_PENDING),
  STOP_PENDING(Winsvc.SERVICE_STOP_PENDING),
  RUNNING(Winsvc.SERVICE_RUNNING);

  private final int win32;

  ServiceState(int win32) {
    this.win32 = win32;
  }

  /** The SERVICE_* constant Windows knows this state by. */
  public int win32() {
    return win32;
  }

  /** Pending states must count a checkpoint up in each report, or the SCM thinks the service hung. */
  public boolean pending() {
    return this == START_PENDING || this == STOP_PENDING;
  }
}
