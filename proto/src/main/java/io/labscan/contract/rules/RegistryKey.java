package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * A registry key: a hive and a path below it, e.g.
 * {@code HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run}.
 */
public record RegistryKey(Hive hive, String path) {
  public enum Hive {
    /** HKEY_LOCAL_MACHINE. */
    HKLM,
    /** HKEY_USERS. */
    HKU
  }

  public RegistryKey {
    requireNonNull(hive, "hive");
    requireNonNull(path, "path");
    if (path.isEmpty() || path.startsWith("\\") || path.endsWith("\\") || path.contains("\\\\")) {
      throw new IllegalArgumentException("registry path '" + path + "' has an empty key name");
    }
    if (path.length() > 1024 || path.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("registry path is too long or has control characters");
    }
  }

  /** Parses {@code HKLM\...} or {@code HKEY_LOCAL_MACHINE\...} (also HKU / HKEY_USERS). */
  public static RegistryKey parse(String text) {
    requireNonNull(text, "text");
    int slash = text.indexOf('\\');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not HIVE\\path");
    }
    Hive hive = switch (text.substring(0, slash).toUpperCase(Locale.ROOT)) {
      case "HKLM", "HKEY_LOCAL_MACHINE" -> Hive.HKLM;
      case "HKU", "HKEY_USERS" -> Hive.HKU;
      default -> throw new IllegalArgumentException("'" + text
          + "' must start with HKLM\\ or HKU\\ (other hives are per-user views of these)");
    };
    return new RegistryKey(hive, text.substring(slash + 1));
  }

  /** The key of a subkey. */
  public RegistryKey child(String name) {
    return new RegistryKey(hive, path + "\\" + name);
  }

  @Override
  public String toString() {
    return hive + "\\" + path;
  }
}
