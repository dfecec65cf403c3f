package io.labscan.contract.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * The one rule for "does the policy's process allow-list name this process?", shared by the
 * agent (its egress watch and quarantine mark each SMTP window allowed or not) and the
 * controller (which judges every reported window again itself, since the agent runs on the
 * machine a worm controls). One rule in the contract, so the two can never disagree.
 *
 * <p>An entry that is an absolute path (Unix, or Windows with a drive letter or a UNC prefix)
 * must equal the executable path, Windows paths without case: the strong form, since any
 * program can call itself "smtp". Any other entry must equal the process name or the
 * executable's file name; Windows names ({@code .exe}) compare without case and without the
 * {@code .exe}. An empty name or path matches nothing.
 */
public final class ProcessAllowlist {
  private ProcessAllowlist() {}

  /** Whether an entry of {@code allowlist} names the process {@code name} running {@code path} (either may be empty). */
  public static boolean names(List<String> allowlist, String name, String path) {
    requireNonNull(allowlist, "allowlist");
    requireNonNull(name, "name");
    requireNonNull(path, "path");
    for (String entry : allowlist) {
      if (isAbsolutePath(entry)) {
        if (!path.isEmpty() && (path.equals(entry) || (isWindowsPath(entry) && path.equalsIgnoreCase(entry)))) {
          return true;
        }
      } else if (sameProgram(entry, name) || sameProgram(entry, fileName(path))) {
        return true;
      }
    }
    return false;
  }

  /** The last element of a Unix or Windows path (the whole text when it has no separator). */
  public static String fileName(String path) {
    int cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return path.substring(cut + 1);
  }

  private static boolean sameProgram(String entry, String name) {
    if (name.isEmpty()) {
      return false;
    }
    if (name.equals(entry)) {
      return true;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".exe") && stripExe(lower).equals(stripExe(entry.toLowerCase(Locale.ROOT)));
  }

  private static String stripExe(String s) {
    return s.endsWith(".exe") ? s.substring(0, s.length() - 4) : s;
  }

  private static boolean isAbsolutePath(String s) {
    return s.startsWith("/") || isWindowsPath(s);
  }

  private static boolean isWindowsPath(String s) {
    return s.startsWith("\\") || (s.length() > 2 && Character.isLetter(s.charAt(0)) && s.charAt(1) == ':'
        && (s.charAt(2) == '\\' || s.charAt(2) == '/'));
  }
}
