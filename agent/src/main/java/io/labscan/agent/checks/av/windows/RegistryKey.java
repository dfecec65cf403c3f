package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.registry.RegistryValue;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The values of one registry key. Value names are case-insensitive, as in the registry.
 *
 * @param path the key below HKEY_LOCAL_MACHINE, e.g. {@code SOFTWARE\Microsoft\...}
 */
public record RegistryKey(String path, Map<String, RegistryValue> values) {
  public RegistryKey {
    requireNonNull(path, "path");
    TreeMap<String, RegistryValue> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    copy.putAll(requireNonNull(values, "values"));
    values = Collections.unmodifiableMap(copy);
  }

  public Optional<RegistryValue> value(String name) {
    return Optional.ofNullable(values.get(requireNonNull(name, "name")));
  }

  /** How the key is named in reasons and sources. */
  public String displayName() {
    return "HKLM\\" + path;
  }
}
