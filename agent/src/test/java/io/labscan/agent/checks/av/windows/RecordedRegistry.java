package io.labscan.agent.checks.av.windows;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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
  public Optional<RegistryKey> localMachineKey(String path) throws RegistryReadException {
    String failure = failures.get(path.toLowerCase());
    if (failure != null) {
      throw new RegistryReadException(failure, null);
    }
    return Optional.ofNullable(keys.get(path.toLowerCase()))
        .map(values -> new RegistryKey(path, values));
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
