package io.labscan.agent.platform.windows;

import java.util.Locale;
import java.util.Optional;

/** Picks the service host for the running operating system. */
public final class ServiceHosts {
  private ServiceHosts() {}

  /** The Windows service control manager on Windows; empty elsewhere (systemd and launchd start `run`). */
  public static Optional<ServiceHost> forCurrentPlatform() {
    return forOs(System.getProperty("os.name", ""));
  }

  static Optional<ServiceHost> forOs(String osName) {
    return osName.toLowerCase(Locale.ROOT).startsWith("windows")
        ? Optional.of(new WindowsService())
        : Optional.empty();
  }
}
