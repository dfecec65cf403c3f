package io.labscan.agent.checks.egress;

/** Picks the connection source for the platform the agent runs on. */
public final class ConnectionSources {
  private ConnectionSources() {}

  /** Linux: {@link ProcNetTcpSource}; elsewhere (Windows, macOS): {@link OshiConnectionSource}. */
  public static ConnectionSource forCurrentPlatform() {
    if (ProcNetTcpSource.isAvailable()) {
      return ProcNetTcpSource.system();
    }
    return OshiConnectionSource.system();
  }
}
