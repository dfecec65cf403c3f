package io.labscan.agent.checks.av.windows;

import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.registry.RegistryValue;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A registry holding recorded keys; paths not recorded are absent. */
public final class RecordedRegistry implements RegistryReader {
  private final Map<String, Map<String, RegistryValue>> keys = new HashMap<>();
  private final Map<String, String> failures = new HashMap<>();

  public RecordedRegistry key(String path, Map<String, RegistryValue> values) {
    keys.put(path.toLowerCase(), new LinkedHashMap<>(values));
    return this;
  }

  /** Reading this key fails as with "access denied". */
  public RecordedRegistry failing(String path, String message) {
    failures.put(path.toLowerCase(), message);
    return this;
  }

  @Override
  public boolean available() {
    return true;
  }

  @Override
  public Map<String, RegistryValue> typedValues(io.labscan.contract.rules.RegistryKey key)
      throws io.labscan.agent.registry.RegistryReadException {
    String path = key.path().toLowerCase();
    String failure = failures.get(path);
    if (failure != null) {
      throw new io.labscan.agent.registry.RegistryReadException(failure);
    }
    return key.hive() == io.labscan.contract.rules.RegistryKey.Hive.HKLM
        ? keys.getOrDefault(path, Map.of()) : Map.of();
  }

  @Override
  public Map<String, String> values(io.labscan.contract.rules.RegistryKey key)
      throws io.labscan.agent.registry.RegistryReadException {
    Map<String, String> out = new LinkedHashMap<>();
    typedValues(key).forEach((name, value) -> out.put(name, value.toString()));
    return out;
  }

  @Override
  public List<String> subkeys(io.labscan.contract.rules.RegistryKey key) {
    return List.of();
  }

  /** A registry whose every read breaks unexpectedly (a provider bug, not a read error). */
  public static RegistryReader broken(String message) {
    return new RegistryReader() {
      @Override
      public boolean available() {
        return true;
      }

      @Override
      public Map<String, String> values(io.labscan.contract.rules.RegistryKey key) {
        throw new IllegalStateException(message);
      }

      @Override
      public List<String> subkeys(io.labscan.contract.rules.RegistryKey key) {
        throw new IllegalStateException(message);
      }
    };
  }

  /** The 8 little-endian bytes Windows stores for {@code instant}. */
  public static RegistryValue.Binary fileTime(Instant instant) {
    long ticks = (instant.getEpochSecond() + 11_644_473_600L) * 10_000_000L
        + instant.getNano() / 100;
    byte[] bytes = new byte[8];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (ticks >>> (8 * i));
    }
    return new RegistryValue.Binary(bytes);
  }
}
