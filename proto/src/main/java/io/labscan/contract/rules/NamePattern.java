package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A file-name (or registry value-name) pattern, compared case-insensitively as Windows does.
 *
 * <p>Syntax: {@code *} any run of characters, {@code ?} one character, {@code [a-z0-9]} one
 * character from a class (ranges and single characters, {@code [!...]} negates), {@code {n}}
 * or {@code {n-m}} after an atom repeats it, {@code \} quotes the next character; everything
 * else matches itself. So {@code wink[a-z]{1-4}.exe} is "Wink, one to four letters, .exe".
 *
 * <p>Rule sets come from outside (the controller may push one), so this is deliberately not a
 * regular expression: matching simulates all positions at once, O(pattern × name), with no
 * backtracking that a crafted pattern could make exponential.
 */
public final class NamePattern {
  static final int MAX_PATTERN_LENGTH = 512;
  static final int MAX_REPEAT = 255;
  private static final int UNBOUNDED = Integer.MAX_VALUE;

  private final String text;
  private final Atom[] atoms;

  private NamePattern(String text, Atom[] atoms) {
    this.text = text;
    this.atoms = atoms;
  }

  /** Compiles a pattern; the message of the exception says what is wrong and where. */
  static NamePattern compile(String pattern) {
    requireNonNull(pattern, "pattern");
    if (pattern.isEmpty()) {
      throw new IllegalArgumentException("empty pattern");
    }
    if (pattern.length() > MAX_PATTERN_LENGTH) {
      throw new IllegalArgumentException("pattern longer than " + MAX_PATTERN_LENGTH + " characters");
    }
    int[] cps = pattern.codePoints().toArray();
    List<Atom> atoms = new ArrayList<>();
    int i = 0;
    while (i < cps.length) {
      int c = cps[i];
      Atom atom;
      if (c == '*') {
        atoms.add(new Atom(CharClass.ANY, 0, UNBOUNDED));
        i++;
        continue;
      } else if (c == '?') {
        atom = new Atom(CharClass.ANY, 1, 1);
        i++;
      } else if (c == '[') {
        int close = indexOf(cps, ']', i + 2); // "[]...]" would be odd; a class needs one member
        if (close < 0) {
          throw new IllegalArgumentException("'[' at position " + (i + 1) + " is never closed");
        }
        atom = new Atom(CharClass.parse(Arrays.copyOfRange(cps, i + 1, close), i + 1), 1, 1);
        i = close + 1;
      } else if (c == '{') {
        throw new IllegalArgumentException("'{' at position " + (i + 1) + " repeats nothing");
      } else if (c == '\\') {
        if (i + 1 >= cps.length) {
          throw new IllegalArgumentException("pattern ends with a lone '\\'");
        }
        atom = new Atom(CharClass.literal(cps[i + 1]), 1, 1);
        i += 2;
      } else {
        atom = new Atom(CharClass.literal(c), 1, 1);
        i++;
      }
      if (i < cps.length && cps[i] == '{') {
        int close = indexOf(cps, '}', i + 1);
        if (close < 0) {
          throw new IllegalArgumentException("'{' at position " + (i + 1) + " is never closed");
        }
        int[] range = parseRepeat(new String(cps, i + 1, close - i - 1), i + 1);
        atom = new Atom(atom.chars, range[0], range[1]);
        i = close + 1;
      }
      atoms.add(atom);
    }
    return new NamePattern(pattern, atoms.toArray(Atom[]::new));
  }

  /** Whether the whole of {@code name} matches, ignoring case. */
  public boolean matches(String name) {
    int[] cps = name.codePoints().map(NamePattern::fold).toArray();
    int n = cps.length;
    boolean[] reachable = new boolean[n + 1];
    reachable[0] = true;
    for (Atom atom : atoms) {
      boolean[] next = new boolean[n + 1];
      boolean any = false;
      if (atom.chars == CharClass.ANY && atom.max == UNBOUNDED) {
        // '*': everything at or after the first reachable position is reachable.
        for (int p = 0; p <= n; p++) {
          any |= reachable[p];
          next[p] = any;
        }
      } else {
        for (int p = 0; p <= n; p++) {
          if (!reachable[p]) {
            continue;
          }
          for (int k = 0; p + k <= n && k <= atom.max; k++) {
            if (k >= atom.min) {
              next[p + k] = true;
              any = true;
            }
            if (p + k == n || !atom.chars.contains(cps[p + k])) {
              break;
            }
          }
        }
      }
      if (!any) {
        return false;
      }
      reachable = next;
    }
    return reachable[n];
  }

  @Override
  public String toString() {
    return text;
  }

  static int fold(int cp) {
    return Character.toLowerCase(Character.toUpperCase(cp));
  }

  private static int indexOf(int[] cps, int wanted, int from) {
    for (int i = from; i < cps.length; i++) {
      if (cps[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static int[] parseRepeat(String body, int position) {
    int dash = body.indexOf('-');
    int min;
    int max;
    if (dash < 0) {
      min = max = number(body, position);
    } else {
      min = number(body.substring(0, dash), position);
      max = number(body.substring(dash + 1), position);
    }
    if (min > max) {
      throw new IllegalArgumentException("repeat {" + body + "} at position " + position
          + " has its minimum above its maximum");
    }
    if (max == 0) {
      throw new IllegalArgumentException("repeat {" + body + "} at position " + position
          + " matches nothing");
    }
    return new int[] {min, max};
  }

  private static int number(String digits, int position) {
    if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("repeat at position " + position
          + " needs numbers 0-" + MAX_REPEAT + " as {n} or {n-m}");
    }
    int value = Integer.parseInt(digits);
    if (value > MAX_REPEAT) {
      throw new IllegalArgumentException("repeat at position " + position + " is above " + MAX_REPEAT);
    }
    return value;
  }

  private record Atom(CharClass chars, int min, int max) {}

  /** A set of (case-folded) characters: ranges, optionally negated. */
  private static final class CharClass {
    static final CharClass ANY = new CharClass(new int[0], true);

    private final int[] ranges; // pairs lo, hi (inclusive), folded
    private final boolean negated;

    private CharClass(int[] ranges, boolean negated) {
      this.ranges = ranges;
      this.negated = negated;
    }

    static CharClass literal(int cp) {
      int f = fold(cp);
      return new CharClass(new int[] {f, f}, false);
    }

    static CharClass parse(int[] body, int position) {
      boolean negated = body.length > 0 && body[0] == '!';
      int start = negated ? 1 : 0;
      if (start >= body.length) {
        throw new IllegalArgumentException("empty class at position " + position);
      }
      List<Integer> ranges = new ArrayList<>();
      for (int i = start; i < body.length; i++) {
        int lo = body[i];
        int hi = lo;
        if (i + 2 < body.length && body[i + 1] == '-') {
          hi = body[i + 2];
          i += 2;
          if (hi < lo) {
            throw new IllegalArgumentException("class range at position " + position + " runs backwards");
          }
        }
        if (hi - lo > 0x2FF) {
          throw new IllegalArgumentException("class range at position " + position + " is too wide");
        }
        // Fold each member so [A-Z] and [a-z] both mean letters regardless of case.
        for (int c = lo; c <= hi; c++) {
          ranges.add(fold(c));
          ranges.add(fold(c));
        }
      }
      return new CharClass(ranges.stream().mapToInt(Integer::intValue).toArray(), negated);
    }

    boolean contains(int foldedCp) {
      if (this == ANY) {
        return true;
      }
      boolean in = false;
      for (int i = 0; i < ranges.length && !in; i += 2) {
        in = foldedCp >= ranges[i] && foldedCp <= ranges[i + 1];
      }
      return in != negated;
    }
  }
}
