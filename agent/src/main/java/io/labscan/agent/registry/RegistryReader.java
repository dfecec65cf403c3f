package io.labscan.agent.registry;

import io.labscan.agent.platform.Platform;
import io.labscan.contract.rules.RegistryKey;
import java.util.List;
import java.util.Map;

/**
 * Read-only view of a Windows registry: the agent's one registry abstraction. The live one
 * ({@link WindowsRegistryReader} via JNA, handed out by the platform seam) or an offline one
 * ({@link io.labscan.agent.registry.OfflineRegistry}, the hive files under a scanned
 * root), chosen by the scan context ({@link #forScan}); the artifact rules and the Defender and
 * Symantec providers read through it. Tests use fakes.
 */
public interface RegistryReader {

  /** Whether a registry exists to read (false everywhere but Windows). */
  boolean available();

  /**
   * The values of a key with their data as text (REG_SZ / REG_EXPAND_SZ as stored, numbers in
   * decimal, multi-strings joined with ';', binary as hex). Empty when the key does not exist.
   */
  Map<String, String> values(RegistryKey key) throws RegistryReadException;

  /**
   * The values of a key by type (numbers as numbers, binary data as bytes), for readers that
   * need them (the Defender and Symantec providers). Empty when the key does not exist. This
   * default types every value as the text {@link #values} gives; the live and offline readers
   * override it with the stored types.
   */
  default Map<String, RegistryValue> typedValues(RegistryKey key) throws RegistryReadException {
    Map<String, RegistryValue> out = new java.util.LinkedHashMap<>();
    values(key).forEach((name, text) -> out.put(name, new RegistryValue.Text(text)));
    return out;
  }

  /** The names of the subkeys of a key. Empty when the key does not exist. */
  List<String> subkeys(RegistryKey key) throws RegistryReadException;

  /** The live registry of a machine running {@code platform}: {@link #unavailable()} off Windows. */
  static RegistryReader live(Platform platform) {
    return platform.isWindows() ? new WindowsRegistryReader() : unavailable();
  }

  /**
   * The registry a scan reads: the live one when the scan covers the running system, else the
   * hives of a Windows installation under the scanned root, else {@link #unavailable()}.
   */
  static RegistryReader forScan(RegistryReader live, boolean liveSystem, java.nio.file.Path root) {
    if (liveSystem) {
      return live;
    }
    return io.labscan.agent.registry.OfflineRegistry.under(root)
        .<RegistryReader>map(r -> r).orElseGet(RegistryReader::unavailable);
  }

  /** A reader for machines without a registry. */
  static RegistryReader unavailable() {
    return new RegistryReader() {
      @Override
      public boolean available() {
        return false;
      }

      @Override
      public Map<String, String> values(RegistryKey key) throws RegistryReadException {
        throw new RegistryReadException("no registry on this platform");
      }

      @Override
      public List<String> subkeys(RegistryKey key) throws RegistryReadException {
        throw new RegistryReadException("no registry on this platform");
      }
    };
  }
}
