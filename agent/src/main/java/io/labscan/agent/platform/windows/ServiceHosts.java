package io.labscan.agent.platform.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.platform.Platform;
import java.util.Optional;

/** Picks the service host for an operating system. */
public final class ServiceHosts {
  private ServiceHosts() {}

  /** The Windows service control manager on Windows; empty elsewhere (systemd and launchd start `run`). */
  public static Optional<ServiceHost> forPlatform(Platform platform) {
    return requireNonNull(platform, "platform").isWindows()
        ? Optional.of(new WindowsService())
        : Optional.empty();
  }
}
