package io.labscan.agent.platform;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * The operating system the agent runs on, decided once per JVM from {@code os.name} (OSHI's
 * {@code SystemInfo.getCurrentPlatform()} idea). This is the agent's only OS detection:
 * everything platform-specific is chosen by {@link io.labscan.agent.platform.services.PlatformServices}
 * from this value, or by code that is handed it, so a new platform means one new case here and
 * one new branch there rather than another {@code System.getProperty("os.name")} somewhere.
 *
 * <p>This package is a leaf: it depends on nothing else in the agent, so any package may ask it.
 * The CPU (needed for per-architecture constants of native calls) is not an OS question and stays
 * with the native bindings.
 */
public enum Platform {
  LINUX("Linux"),
  WINDOWS("Windows"),
  MACOS("macOS"),
  /** Anything else (BSDs, Solaris, AIX): the portable code paths only. */
  OTHER("another operating system");

  private static final Platform CURRENT = fromOsName(System.getProperty("os.name", ""));

  private final String displayName;

  Platform(String displayName) {
    this.displayName = displayName;
  }

  /** The platform of this JVM. */
  public static Platform current() {
    return CURRENT;
  }

  /** The platform an {@code os.name} value names ("Windows 11", "Linux", "Mac OS X"). */
  public static Platform fromOsName(String osName) {
    String os = requireNonNull(osName, "osName").toLowerCase(Locale.ROOT);
    if (os.startsWith("windows")) {
      return WINDOWS;
    }
    if (os.startsWith("linux")) {
      return LINUX;
    }
    if (os.startsWith("mac") || os.startsWith("darwin")) {
      return MACOS;
    }
    return OTHER;
  }

  public boolean isWindows() {
    return this == WINDOWS;
  }

  public boolean isLinux() {
    return this == LINUX;
  }

  /** How log lines and messages name it. */
  public String displayName() {
    return displayName;
  }
}
