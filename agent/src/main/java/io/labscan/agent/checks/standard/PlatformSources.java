package io.labscan.agent.checks.standard;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.checks.standard.AvProviderFactory;
import io.labscan.agent.platform.Platform;

/**
 * What the standard checks need from the platform they run on, handed in by the platform seam
 * ({@code PlatformServices.scanSources()}) so that no check decides which operating system it is
 * on: the running machine's registry (an offline scan reads the hives under its root instead,
 * see {@code RegistryReader}) and the AV providers.
 */
public record PlatformSources(RegistryReader liveRegistry, AvProviderFactory avProviders) {
  public PlatformSources {
    requireNonNull(liveRegistry, "liveRegistry");
    requireNonNull(avProviders, "avProviders");
  }

  /** The sources of a machine running {@code platform}. */
  public static PlatformSources forPlatform(Platform platform) {
    requireNonNull(platform, "platform");
    return new PlatformSources(RegistryReader.live(platform), AvProviderFactory.forPlatform(platform));
  }
}
