package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.registry.RegistryValue;
import java.util.Map;
import java.util.Optional;

/**
 * Keys below HKEY_LOCAL_MACHINE as the Defender and Symantec providers read them, through the
 * agent's one registry abstraction ({@link RegistryReader}): the live registry on a running
 * Windows, or the SOFTWARE hive under the scanned root of an offline scan.
 */
final class LocalMachineKeys {
  private LocalMachineKeys() {}

  /**
   * The values of {@code HKLM\<path>} by type (64-bit view on a live system), or empty when the
   * key is absent or holds no values (the providers need values, not the key itself).
   */
  static Optional<RegistryKey> read(RegistryReader registry, String path) throws RegistryReadException {
    requireNonNull(registry, "registry");
    requireNonNull(path, "path");
    try {
      Map<String, RegistryValue> values = registry.typedValues(
          new io.labscan.contract.rules.RegistryKey(io.labscan.contract.rules.RegistryKey.Hive.HKLM, path));
      return values.isEmpty() ? Optional.empty() : Optional.of(new RegistryKey(path, values));
    } catch (io.labscan.agent.registry.RegistryReadException e) {
      throw new RegistryReadException(e.getMessage(), e);
    }
  }
}
