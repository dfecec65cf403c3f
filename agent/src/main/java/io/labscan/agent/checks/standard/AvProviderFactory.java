package io.labscan.agent.checks.standard;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.registry.WindowsRegistryReader;
import io.labscan.agent.checks.av.AvProvider;
import io.labscan.agent.checks.av.AvProviders;
import io.labscan.agent.checks.av.clamav.ClamAvProvider;
import io.labscan.agent.checks.av.macos.XProtectProvider;
import io.labscan.agent.checks.av.windows.DefenderProvider;
import io.labscan.agent.checks.av.windows.JnaWmiReader;
import io.labscan.agent.checks.av.windows.SecurityCenterProvider;
import io.labscan.agent.checks.av.windows.SymantecProvider;
import io.labscan.agent.checks.av.windows.WmiReadException;
import io.labscan.agent.checks.av.windows.WmiReader;
import io.labscan.agent.checks.av.windows.WmiRow;
import io.labscan.agent.platform.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Picks the providers for one scan. File-based providers (ClamAV, XProtect) look under the
 * scan root and always run: they work on any host, live or offline, and stay silent where
 * their files are absent. The registry and WMI providers run when the agent runs on Windows
 * and scans the live system. An offline scan of a Windows disk (e.g. {@code scan --root /mnt/c})
 * runs Defender and Symantec on the registry hives under the root — the same registry reader the
 * artifact rules use ({@link RegistryReader#forScan}) — without WMI, which only a running system
 * answers; Security Center has nothing but WMI and stays live-only.
 *
 * <p>Order matters: Defender and Symantec run before Security Center, which leaves out the
 * entries they already reported.
 */
public final class AvProviderFactory implements AvProviders {

  /** The live Windows sources. */
  public record WindowsSources(RegistryReader registry, WmiReader wmi) {
    public WindowsSources {
      requireNonNull(registry, "registry");
      requireNonNull(wmi, "wmi");
    }
  }

  /** WMI describes a running system: an offline disk has none. */
  private static final WmiReader NO_WMI_OFFLINE = new WmiReader() {
    @Override
    public <P extends Enum<P>> List<WmiRow<P>> query(String namespace, String wmiClass, Class<P> properties)
        throws WmiReadException {
      throw new WmiReadException(WmiReadException.Kind.NOT_PRESENT, "no WMI in an offline scan", null);
    }
  };

  private final Optional<WindowsSources> windows;

  private AvProviderFactory(Optional<WindowsSources> windows) {
    this.windows = requireNonNull(windows, "windows");
  }

  /** For a machine running {@code platform}; JNA is only touched on Windows. */
  public static AvProviderFactory forPlatform(Platform platform) {
    return requireNonNull(platform, "platform").isWindows()
        ? new AvProviderFactory(Optional.of(
            new WindowsSources(new WindowsRegistryReader(), new JnaWmiReader())))
        : filesOnly();
  }

  /** As on a Windows host, with the given sources (recorded ones in tests). */
  public static AvProviderFactory withWindowsSources(RegistryReader registry, WmiReader wmi) {
    return new AvProviderFactory(Optional.of(new WindowsSources(registry, wmi)));
  }

  /** As on a host without live Windows sources. */
  public static AvProviderFactory filesOnly() {
    return new AvProviderFactory(Optional.empty());
  }

  @Override
  public List<AvProvider> providersFor(ScanContext context) {
    requireNonNull(context, "context");
    List<AvProvider> providers = new ArrayList<>();
    if (context.liveSystem() && windows.isPresent()) {
      WindowsSources w = windows.get();
      providers.add(new DefenderProvider(w.registry(), w.wmi()));
      providers.add(new SymantecProvider(w.registry(), w.wmi()));
      providers.add(new SecurityCenterProvider(w.wmi()));
    } else if (!context.liveSystem()) {
      RegistryReader offline = RegistryReader.forScan(RegistryReader.unavailable(), false, context.root());
      if (offline.available()) {
        providers.add(new DefenderProvider(offline, NO_WMI_OFFLINE));
        providers.add(new SymantecProvider(offline, NO_WMI_OFFLINE));
      }
    }
    providers.add(new ClamAvProvider());
    providers.add(new XProtectProvider());
    return List.copyOf(providers);
  }
}
