package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A rule on file names, applied to the files directly in (or under) the folders of one
 * folder set of the rule set ({@code system}, {@code temp}, ... or {@code anywhere}).
 */
public sealed interface FileRule {
  /** The folder set name meaning "every folder under the root". */
  String ANYWHERE = "anywhere";

  String id();

  /** Name of the folder set the rule applies in. */
  String folders();

  /** Plain-words description used as the finding's detail. */
  String detail();

  /** Whether a file with this name (no folder) matches. */
  boolean matches(String fileName);

  /** A name pattern, e.g. {@code wink[a-z]{1-4}.exe}, minus known-good names. */
  public record Named(String id, String folders, NamePattern name, List<NamePattern> except, String detail)
      implements FileRule {
    public Named {
      requireNonNull(id, "id");
      requireNonNull(folders, "folders");
      requireNonNull(name, "name");
      except = List.copyOf(except);
      requireNonNull(detail, "detail");
    }

    @Override
    public boolean matches(String fileName) {
      return name.matches(fileName) && except.stream().noneMatch(p -> p.matches(fileName));
    }
  }

  /**
   * An executable whose base name looks machine-generated. Deliberately conservative, since
   * temp folders are full of installer droppings: the base name is ASCII letters only (no
   * digits, separators, braces or tildes, which legitimate temp executables nearly always
   * have), between {@code minLength} and {@code maxLength} letters long, and contains a run
   * of at least {@code minConsonantRun} consonants (vowels are a e i o u y), which English
   * words and product names almost never do. A name with no vowel at all counts as one run.
   */
  public record RandomName(String id, String folders, Set<String> extensions, int minLength, int maxLength,
      int minConsonantRun, Set<String> except, String detail) implements FileRule {
    public RandomName {
      requireNonNull(id, "id");
      requireNonNull(folders, "folders");
      extensions = Set.copyOf(extensions);
      except = Set.copyOf(except);
      requireNonNull(detail, "detail");
    }

    @Override
    public boolean matches(String fileName) {
      String lower = fileName.toLowerCase(Locale.ROOT);
      int dot = lower.lastIndexOf('.');
      if (dot <= 0 || !extensions.contains(lower.substring(dot + 1)) || except.contains(lower)) {
        return false;
      }
      String base = lower.substring(0, dot);
      if (base.length() < minLength || base.length() > maxLength) {
        return false;
      }
      int run = 0;
      int longest = 0;
      for (int i = 0; i < base.length(); i++) {
        char c = base.charAt(i);
        if (c < 'a' || c > 'z') {
          return false;
        }
        run = "aeiouy".indexOf(c) >= 0 ? 0 : run + 1;
        longest = Math.max(longest, run);
      }
      return longest >= minConsonantRun;
    }
  }

  /**
   * A document-looking name hiding an executable: {@code <base>.<decoy>.<executable>}, such as
   * {@code report.doc.exe} or {@code photo.jpg.scr}. Spaces between the two extensions
   * ({@code readme.txt          .pif}, a classic trick to push the real one out of view) are
   * ignored. The base must not be empty.
   */
  public record DoubleExtension(String id, String folders, Set<String> decoys, Set<String> executables,
      String detail) implements FileRule {
    public DoubleExtension {
      requireNonNull(id, "id");
      requireNonNull(folders, "folders");
      decoys = Set.copyOf(decoys);
      executables = Set.copyOf(executables);
      requireNonNull(detail, "detail");
    }

    @Override
    public boolean matches(String fileName) {
      String lower = fileName.toLowerCase(Locale.ROOT);
      int last = lower.lastIndexOf('.');
      if (last <= 0 || !executables.contains(lower.substring(last + 1))) {
        return false;
      }
      String rest = lower.substring(0, last).stripTrailing();
      int decoy = rest.lastIndexOf('.');
      return decoy > 0 && decoys.contains(rest.substring(decoy + 1));
    }
  }
}
