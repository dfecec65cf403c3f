package io.labscan.agent.checks.av.windows;

import static java.util.Objects.requireNonNull;

import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Win32Exception;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinReg;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The real registry, through JNA's Advapi32Util. Only loaded on Windows. */
public final class JnaRegistryReader implements RegistryReader {

  @Override
  public Optional<RegistryKey> localMachineKey(String path) throws RegistryReadException {
    requireNonNull(path, "path");
    try {
      if (!Advapi32Util.registryKeyExists(
          WinReg.HKEY_LOCAL_MACHINE, path, WinNT.KEY_WOW64_64KEY)) {
        return Optional.empty();
      }
      TreeMap<String, Object> raw = Advapi32Util.registryGetValues(
          WinReg.HKEY_LOCAL_MACHINE, path, WinNT.KEY_WOW64_64KEY);
      Map<String, RegistryValue> values = new LinkedHashMap<>();
      raw.forEach((name, value) -> convert(value).ifPresent(v -> values.put(name, v)));
      return Optional.of(new RegistryKey(path, values));
    } catch (Win32Exception e) {
      if (e.getErrorCode() == WinError.ERROR_FILE_NOT_FOUND) {
        return Optional.empty(); // deleted between the two calls
      }
      throw new RegistryReadException("HKLM\\" + path + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // Advapi32Util throws a plain RuntimeException for value types it does not map.
      throw new RegistryReadException("HKLM\\" + path + ": " + e.getMessage(), e);
    }
  }

  private static Optional<RegistryValue> convert(Object value) {
    if (value instanceof String s) {
      return Optional.of(new RegistryValue.Text(s));
    }
    if (value instanceof Integer i) {
      return Optional.of(RegistryValue.DWord.of(i));
    }
    if (value instanceof Long l) {
      return Optional.of(new RegistryValue.QWord(l));
    }
    if (value instanceof byte[] b) {
      return Optional.of(new RegistryValue.Binary(b));
    }
    if (value instanceof String[] a) {
      return Optional.of(new RegistryValue.MultiText(Arrays.asList(a)));
    }
    return Optional.empty();
  }
}
