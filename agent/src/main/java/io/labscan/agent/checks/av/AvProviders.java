package io.labscan.agent.checks.av;

import io.labscan.agent.checks.ScanContext;
import java.util.List;

/**
 * The providers {@link AvCheck} consults for one scan, in order. The check knows only this
 * interface; which providers exist on which platform (and whether a scan is live or of a mounted
 * disk) is decided by the composition ({@code checks.standard.AvProviderFactory}), so this package
 * never depends on its per-product sub-packages.
 */
@FunctionalInterface
public interface AvProviders {
  List<AvProvider> providersFor(ScanContext context);
}
