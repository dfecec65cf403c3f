package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A folder under the scan root, written with '/' and compared case-insensitively (a Windows
 * disk mounted on Linux keeps its mixed-case names: {@code WINDOWS/SYSTEM32},
 * {@code Windows/System32} and {@code WINNT/system32} are all the system folder).
 *
 * <p>A component {@code *} matches any one folder name ({@code Users/*} is every profile); a
 * final {@code **} makes the pattern cover the folder and everything below it. Without
 * {@code **} a pattern covers only the files directly inside the folder.
 */
public record FolderPattern(List<String> components, boolean recursive) {
  static final String ANY_ONE = "*";
  static final String ANY_DEPTH = "**";

  public FolderPattern {
    components = List.copyOf(requireNonNull(components, "components"));
  }

  /** Parses one pattern such as {@code WINDOWS/SYSTEM32}; {@code @set} references are resolved by the caller. */
  static FolderPattern parse(String text) {
    requireNonNull(text, "text");
    String[] parts = text.split("/", -1);
    List<String> components = new ArrayList<>();
    boolean recursive = false;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty()) {
        throw new IllegalArgumentException("'" + text + "' has an empty folder name (leading, trailing or double '/')");
      }
      if (part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("'" + text + "' must not use '.' or '..'");
      }
      if (part.equals(ANY_DEPTH)) {
        if (i != parts.length - 1) {
          throw new IllegalArgumentException("'" + text + "': '**' is allowed only at the end");
        }
        recursive = true;
        continue;
      }
      if (part.contains("*") && !part.equals(ANY_ONE)) {
        throw new IllegalArgumentException("'" + text + "': '*' must be a whole folder name");
      }
      if (part.contains("\\") || part.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("'" + text + "' must use '/' and printable characters only");
      }
      components.add(fold(part));
    }
    return new FolderPattern(components, recursive);
  }

  /** This pattern with {@code prefix} in front, for {@code @profiles/AppData/Local/Temp}. */
  FolderPattern after(FolderPattern prefix) {
    if (prefix.recursive) {
      throw new IllegalArgumentException("a folder set used as a prefix must not end with '**'");
    }
    List<String> all = new ArrayList<>(prefix.components);
    all.addAll(components);
    return new FolderPattern(all, recursive);
  }

  /** Whether files directly in the folder with these (folded) components are covered. */
  boolean covers(List<String> foldedFolder) {
    int n = components.size();
    if (recursive ? foldedFolder.size() < n : foldedFolder.size() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      String want = components.get(i);
      if (!want.equals(ANY_ONE) && !want.equals(foldedFolder.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Case folding used for every folder name comparison. */
  public static String fold(String name) {
    return name.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    String joined = String.join("/", components);
    return recursive ? (joined.isEmpty() ? ANY_DEPTH : joined + "/" + ANY_DEPTH) : joined;
  }
}
