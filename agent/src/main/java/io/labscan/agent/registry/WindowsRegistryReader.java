package io.labscan.agent.registry;

import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinReg;
import io.labscan.contract.rules.RegistryKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live registry through JNA's Advapi32Util. Always opens the 64-bit view
 * (KEY_WOW64_64KEY): a 32-bit JVM on 64-bit Windows would otherwise be redirected to
 * {@code SOFTWARE\WOW6432Node} and miss the Run key the worm actually wrote.
 */
public final class WindowsRegistryReader implements RegistryReader {
  private static final int VIEW = WinNT.KEY_WOW64_64KEY;
  /** Registry data is attacker-written; keep what we carry around small. */
  private static final int MAX_DATA_CHARS = 4096;

  @Override
  public boolean available() {
    return true;
  }

  @Override
  public Map<String, String> values(RegistryKey key) throws RegistryReadException {
    WinReg.HKEY hive = hive(key);
    try {
      if (!Advapi32Util.registryKeyExists(hive, key.path(), VIEW)) {
        return Map.of();
      }
      Map<String, String> out = new LinkedHashMap<>();
      Advapi32Util.registryGetValues(hive, key.path(), VIEW)
          .forEach((name, data) -> out.put(name, render(data)));
      return out;
    } catch (RuntimeException e) { // Win32Exception, or "unsupported type" from Advapi32Util
      throw new RegistryReadException("cannot read values of " + key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Map<String, RegistryValue> typedValues(RegistryKey key) throws RegistryReadException {
    WinReg.HKEY hive = hive(key);
    try {
      if (!Advapi32Util.registryKeyExists(hive, key.path(), VIEW)) {
        return Map.of();
      }
      Map<String, RegistryValue> out = new LinkedHashMap<>();
      Advapi32Util.registryGetValues(hive, key.path(), VIEW)
          .forEach((name, data) -> typed(data).ifPresent(v -> out.put(name, v)));
      return out;
    } catch (RuntimeException e) { // Win32Exception, or "unsupported type" from Advapi32Util
      throw new RegistryReadException("cannot read values of " + key + ": " + e.getMessage(), e);
    }
  }

  /** As the AV providers read values; types Advapi32Util does not map are left out. */
  private static java.util.Optional<RegistryValue> typed(Object value) {
    if (value instanceof String s) {
      return java.util.Optional.of(new RegistryValue.Text(s));
    }
    if (value instanceof Integer i) {
      return java.util.Optional.of(RegistryValue.DWord.of(i));
    }
    if (value instanceof Long l) {
      return java.util.Optional.of(new RegistryValue.QWord(l));
    }
    if (value instanceof byte[] b) {
      return java.util.Optional.of(new RegistryValue.Binary(b));
    }
    if (value instanceof String[] a) {
      return java.util.Optional.of(new RegistryValue.MultiText(Arrays.asList(a)));
    }
    return java.util.Optional.empty();
  }

  @Override
  public List<String> subkeys(RegistryKey key) throws RegistryReadException {
    WinReg.HKEY hive = hive(key);
    try {
      if (!Advapi32Util.registryKeyExists(hive, key.path(), VIEW)) {
        return List.of();
      }
      return List.of(Advapi32Util.registryGetKeys(hive, key.path(), VIEW));
    } catch (RuntimeException e) {
      throw new RegistryReadException("cannot list subkeys of " + key + ": " + e.getMessage(), e);
    }
  }

  private static WinReg.HKEY hive(RegistryKey key) {
    return switch (key.hive()) {
      case HKLM -> WinReg.HKEY_LOCAL_MACHINE;
      case HKU -> WinReg.HKEY_USERS;
    };
  }

  private static String render(Object data) {
    String text;
    if (data instanceof String s) {
      text = s;
    } else if (data instanceof String[] multi) {
      text = String.join(";", Arrays.asList(multi));
    } else if (data instanceof byte[] bytes) {
      text = HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, MAX_DATA_CHARS / 2));
    } else {
      text = String.valueOf(data);
    }
    return text.length() > MAX_DATA_CHARS ? text.substring(0, MAX_DATA_CHARS) : text;
  }
}
