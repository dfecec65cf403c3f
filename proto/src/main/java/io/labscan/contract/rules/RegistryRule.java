package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** A rule on the live Windows registry. */
public sealed interface RegistryRule {
  String id();

  RegistryKey key();

  String detail();

  /** A value under {@code key} whose name matches, e.g. {@code Wink*} under ...\Run. */
  public record ValueName(String id, RegistryKey key, NamePattern valueName, String detail)
      implements RegistryRule {
    public ValueName {
      requireNonNull(id, "id");
      requireNonNull(key, "key");
      requireNonNull(valueName, "valueName");
      requireNonNull(detail, "detail");
    }
  }

  /**
   * A subkey of {@code key} whose value {@code value} names a file matching one of
   * {@code fileNames}: a service under ...\Services whose ImagePath is a Wink*.exe or WQK.EXE.
   */
  public record SubkeyFile(String id, RegistryKey key, String value, List<NamePattern> fileNames,
      String detail) implements RegistryRule {
    public SubkeyFile {
      requireNonNull(id, "id");
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      fileNames = List.copyOf(fileNames);
      requireNonNull(detail, "detail");
    }

    public boolean matchesCommand(String command) {
      return executableName(command).filter(name -> fileNames.stream().anyMatch(p -> p.matches(name)))
          .isPresent();
    }
  }

  /**
   * The file name of the program a command line (ImagePath, Run value) starts:
   * {@code "C:\x y\a.exe" -k} gives {@code a.exe}, {@code C:\WINDOWS\SYSTEM32\WinkAbcd.exe /s}
   * gives {@code WinkAbcd.exe}, {@code \SystemRoot\System32\drivers\x.sys} gives {@code x.sys}.
   */
  static Optional<String> executableName(String command) {
    String s = command.strip();
    if (s.startsWith("\"")) {
      int close = s.indexOf('"', 1);
      s = close > 0 ? s.substring(1, close) : s.substring(1);
    } else {
      // Unquoted paths may contain spaces ("C:\Program Files\x.exe"), so cut after the first
      // executable-looking extension rather than at the first space.
      String lower = s.toLowerCase(Locale.ROOT);
      int cut = -1;
      for (String ext : List.of(".exe", ".com", ".pif", ".scr", ".bat", ".cmd", ".sys", ".dll")) {
        int at = lower.indexOf(ext);
        while (at >= 0) {
          int end = at + ext.length();
          if (end == lower.length() || Character.isWhitespace(lower.charAt(end))) {
            cut = cut < 0 ? end : Math.min(cut, end);
            break;
          }
          at = lower.indexOf(ext, at + 1);
        }
      }
      if (cut > 0) {
        s = s.substring(0, cut);
      } else {
        int space = s.indexOf(' ');
        s = space > 0 ? s.substring(0, space) : s;
      }
    }
    int sep = Math.max(s.lastIndexOf('\\'), s.lastIndexOf('/'));
    String name = s.substring(sep + 1).strip();
    return name.isEmpty() ? Optional.empty() : Optional.of(name);
  }
}
