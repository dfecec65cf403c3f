package io.labscan.agent.checks.egress.windows;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;

/**
 * Windows audit events name executables by NT device path
 * ({@code \device\harddiskvolume2\windows\system32\svchost.exe}); the allowlist and the
 * operator speak drive letters. Maps one to the other with the volume table
 * ({@code QueryDosDevice}: {@code C:} → {@code \Device\HarddiskVolume2}).
 */
public final class DevicePaths {
  private DevicePaths() {}

  /**
   * The drive-letter form of {@code devicePath}, or the path unchanged when no volume in
   * {@code volumes} (drive such as {@code "C:"} → device such as
   * {@code "\Device\HarddiskVolume2"}) is its prefix. Comparison ignores case, as Windows does.
   */
  public static String toDrivePath(String devicePath, Map<String, String> volumes) {
    requireNonNull(devicePath, "devicePath");
    requireNonNull(volumes, "volumes");
    String lower = devicePath.toLowerCase(Locale.ROOT);
    for (Map.Entry<String, String> v : volumes.entrySet()) {
      String device = v.getValue().toLowerCase(Locale.ROOT);
      if (device.isEmpty()) {
        continue;
      }
      if (lower.startsWith(device) && (lower.length() == device.length() || lower.charAt(device.length()) == '\\')) {
        return v.getKey() + devicePath.substring(device.length());
      }
    }
    return devicePath;
  }
}
