package io.labscan.agent.checks.artifacts;

import io.labscan.agent.registry.RegistryReadException;
import io.labscan.agent.registry.RegistryReader;
import io.labscan.contract.rules.RegistryKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** An in-memory registry: keys with values, subkeys derived from the keys that exist. */
final class FakeRegistryReader implements RegistryReader {
  private final boolean available;
  private final Map<String, Map<String, String>> values = new LinkedHashMap<>();
  private final Map<String, List<String>> subkeys = new LinkedHashMap<>();
  private final Set<String> denied = new HashSet<>();
  int reads;

  FakeRegistryReader(boolean available) {
    this.available = available;
  }

  /** Sets a value, creating the key (and its place among its parent's subkeys). */
  FakeRegistryReader value(String key, String name, String data) {
    values.computeIfAbsent(fold(key), k -> new LinkedHashMap<>()).put(name, data);
    int slash = key.lastIndexOf('\\');
    List<String> siblings = subkeys.computeIfAbsent(fold(key.substring(0, slash)), k -> new ArrayList<>());
    if (!siblings.contains(key.substring(slash + 1))) {
      siblings.add(key.substring(slash + 1));
    }
    return this;
  }

  /** Makes reading this key fail as "access denied" does. */
  FakeRegistryReader deny(String key) {
    denied.add(fold(key));
    return this;
  }

  @Override
  public boolean available() {
    return available;
  }

  @Override
  public Map<String, String> values(RegistryKey key) throws RegistryReadException {
    check(key);
    return Map.copyOf(values.getOrDefault(fold(key.toString()), Map.of()));
  }

  @Override
  public List<String> subkeys(RegistryKey key) throws RegistryReadException {
    check(key);
    return List.copyOf(subkeys.getOrDefault(fold(key.toString()), List.of()));
  }

  private void check(RegistryKey key) throws RegistryReadException {
    reads++;
    if (!available) {
      throw new RegistryReadException("no registry");
    }
    if (denied.contains(fold(key.toString()))) {
      throw new RegistryReadException("access denied: " + key);
    }
  }

  private static String fold(String key) {
    return key.toLowerCase(Locale.ROOT);
  }
}
