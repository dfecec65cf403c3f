package io.labscan.agent.checks.artifacts;

import com.sun.jna.Platform;
import io.labscan.contract.rules.RegistryKey;
import java.util.List;
import java.util.Map;

/**
 * Read-only view of the live Windows registry. The artifact check only asks for value names
 * with their data and for subkey names; one implementation per platform sits behind this
 * interface ({@link WindowsRegistryReader} via JNA), tests use a fake.
 */
public interface RegistryReader {

  /** Whether a registry exists to read (false everywhere but Windows). */
  boolean available();

  /**
   * The values of a key with their data as text (REG_SZ / REG_EXPAND_SZ as stored, numbers in
   * decimal, multi-strings joined with ';', binary as hex). Empty when the key does not exist.
   */
  Map<String, String> values(RegistryKey key) throws RegistryReadException;

  /** The names of the subkeys of a key. Empty when the key does not exist. */
  List<String> subkeys(RegistryKey key) throws RegistryReadException;

  /** The registry of the machine the agent runs on, or {@link #unavailable()} off Windows. */
  static RegistryReader forCurrentPlatform() {
    return Platform.isWindows() ? new WindowsRegistryReader() : unavailable();
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
