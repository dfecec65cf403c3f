package io.labscan.controller.text;

import java.text.Normalizer;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The one comparison key for hostnames, which are endpoint claims (issue 15, D: "duplicates are
 * shown with their host ids everywhere"). Two names are the same name when their keys are equal:
 * NFKC (full-width and compatibility forms fold to their plain letters), then every
 * default-ignorable character removed (Unicode format characters, category Cf: zero-width space
 * U+200B, joiners, LRM/RLM, bidi embeddings and isolates, word joiner U+2060, BOM U+FEFF, soft
 * hyphen U+00AD; also variation selectors, the combining grapheme joiner and the Hangul fillers,
 * which print as nothing), case folded, surrounding blanks and a trailing dot dropped. {@code
 * "lab-pc-07\u200B"} and {@code "LAB-PC-07"} are {@code "lab-pc-07"}: printed, they read as that
 * host's name, so they count as duplicates of it.
 *
 * <p>Letters of other scripts drawn like Latin ones (Cyrillic "а" U+0430 in "lаb-pc-07", Greek
 * "ο" U+03BF) are mapped to the Latin letter they print as, before case folding, by {@link
 * #SKELETON}: a small confusable-skeleton table for the Cyrillic, Greek (and a few Latin and
 * Armenian) letters that print as a Latin letter in the fonts a dashboard or a mail client uses.
 * Mapped before case folding because the capital and the small letter may look like different
 * Latin letters (Greek "Η" is "H", "η" reads as "n"). It is deliberately not Unicode's whole
 * confusables table (UTS #39; ICU4J is not a dependency and the table is large): a miss only
 * means a look-alike keeps its own key, as any other name does.
 *
 * <p>Dashes and minus signs that print like the ASCII hyphen-minus become it ({@link #DASHES}:
 * U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN, U+2012 FIGURE DASH, U+2013 EN DASH, U+2014 EM DASH,
 * U+2015 HORIZONTAL BAR, U+2043 HYPHEN BULLET, U+2212 MINUS SIGN, U+02D7 MODIFIER LETTER MINUS,
 * U+2796 HEAVY MINUS, U+FE58 SMALL EM DASH; the small and full-width hyphen-minus U+FE63 and
 * U+FF0D reach {@code -} through NFKC), and full stops that print like a dot become it (U+3002
 * IDEOGRAPHIC FULL STOP; U+FF0E and U+2024 through NFKC): a worm that calls its host
 * "lab‐pc‐12" (U+2010) during its burst takes the name lab-pc-12 (issue 15, red-team round 7, T8).
 *
 * <p>Not folded, on purpose: ASCII digits and letters that resemble each other ({@code 1}/{@code
 * l}, {@code 0}/{@code o}, {@code rn}/{@code m}). Those are different names an operator can type
 * and read apart in the monospace the pages use; folding them would call {@code lab-pc-10} and
 * {@code lab-pc-1o} one host and make two real machines ambiguous.
 */
public final class HostnameKey {
  private HostnameKey() {}

  /** The key of a name; "" for null. */
  public static String of(String name) {
    if (name == null) {
      return "";
    }
    String n = Normalizer.normalize(name, Normalizer.Form.NFKC);
    StringBuilder sb = new StringBuilder(n.length());
    n.codePoints().filter(cp -> !ignorable(cp)).map(HostnameKey::skeleton).map(HostnameKey::punctuation)
        .forEach(sb::appendCodePoint);
    // Upper then lower: folds the letters whose lower case alone is not their fold (e.g. final sigma).
    String k = sb.toString().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT).strip();
    return k.endsWith(".") ? k.substring(0, k.length() - 1) : k;
  }

  /**
   * Letters of other scripts that print as a Latin letter: pairs of (look-alike, Latin letter).
   * Capitals and small letters are listed separately (see the class comment); a small letter is
   * listed only when it is drawn like the Latin small letter (Cyrillic "в" is not a "b").
   */
  private static final String SKELETON =
      // Cyrillic capitals
      "АAВBЕEЅSІIЈJКKМMНHОOРPСCТTХXУYԜWԚQӀl"
      // Cyrillic small letters
      + "аaеeѕsіiјjкkоoрpсcхxуyԝwԛqԁdһhӏlѵv"
      // Greek capitals
      + "ΑAΒBΕEΖZΗHΙIΚKΜMΝNΟOΡPΤTΥYΧX"
      // Greek small letters
      + "αaοoρpιiκkνvυuχxγy"
      // Latin letters of other shapes, Armenian
      + "ɑaɡgɩiօoսuհh";

  private static final Map<Integer, Integer> SKELETON_MAP = skeletonMap();

  private static Map<Integer, Integer> skeletonMap() {
    Map<Integer, Integer> m = new HashMap<>();
    for (int i = 0; i + 1 < SKELETON.length(); i += 2) {
      m.put((int) SKELETON.charAt(i), (int) SKELETON.charAt(i + 1));
    }
    return Map.copyOf(m);
  }

  /** The Latin letter {@code cp} prints as, or {@code cp} itself. */
  static int skeleton(int cp) {
    return cp < 0x0250 ? cp : SKELETON_MAP.getOrDefault(cp, cp);
  }

  /** Dashes and minus signs that print like the ASCII hyphen-minus (see the class comment). */
  static final String DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u02D7\u2796\uFE58";

  /** The ASCII hyphen-minus for a dash that prints like it, the ASCII full stop for U+3002; else {@code cp}. */
  static int punctuation(int cp) {
    if (cp < 0x02D7) {
      return cp;
    }
    return DASHES.indexOf(cp) >= 0 ? '-' : cp == 0x3002 ? '.' : cp;
  }

  /**
   * Whether the name prints like a name other than its own spelling: its key differs from its
   * plain spelling (case folded, surrounding blanks and a trailing dot dropped), so it holds a
   * look-alike letter, dash or full-width form (a character that prints as nothing is shown as
   * '?' by the sentence, so it alone does not make a look-alike). The
   * answer names such a host with its id even when no other host has that name (yet): "Sent by
   * lab‐pc‐12" must not read as the innocent lab-pc-12 (issue 15, red-team round 7, T8).
   */
  public static boolean lookAlike(String name) {
    if (name == null) {
      return false;
    }
    // Characters that print as nothing (and control characters) are not look-alikes: the sentence
    // shows them as '?', visibly another name; only folds to another visible character count.
    String n = Normalizer.normalize(name, Normalizer.Form.NFKC);
    StringBuilder sb = new StringBuilder(n.length());
    n.codePoints().map(HostnameKey::skeleton).map(HostnameKey::punctuation).forEach(sb::appendCodePoint);
    return !fold(name).equals(fold(sb.toString()));
  }

  private static String fold(String s) {
    String k = s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT).strip();
    return k.endsWith(".") ? k.substring(0, k.length() - 1) : k;
  }

  /** True for a character that prints as nothing (see the class comment). */
  public static boolean ignorable(int cp) {
    return Character.getType(cp) == Character.FORMAT
        || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) // variation selectors
        || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 // CGJ, Hangul fillers
        || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0xE0000 && cp <= 0xE0FFF); // Mongolian FVS, tags
  }

  /**
   * The one rule for naming a host (CLI triage answer, web pages, reports): show its id beside
   * {@code name} when {@code sharedKeys} (from {@link #shared}) holds the name's key, i.e. when
   * another host's name is the same name or prints the same.
   */
  public static boolean isShared(Set<String> sharedKeys, String name) {
    Objects.requireNonNull(sharedKeys, "sharedKeys");
    return !sharedKeys.isEmpty() && sharedKeys.contains(of(name));
  }

  /**
   * The keys that more than one host's name has, from (host id, name) pairs: the fleet's
   * duplicate names, each host counted once. O(n) in the number of hosts.
   */
  public static Set<String> shared(Collection<Map.Entry<String, String>> idAndName) {
    Objects.requireNonNull(idAndName, "idAndName");
    Map<String, String> firstId = new HashMap<>();
    Set<String> shared = new HashSet<>();
    for (Map.Entry<String, String> e : idAndName) {
      String key = of(e.getValue());
      if (key.isEmpty()) {
        continue;
      }
      String seen = firstId.putIfAbsent(key, e.getKey());
      if (seen != null && !seen.equals(e.getKey())) {
        shared.add(key);
      }
    }
    return Set.copyOf(shared);
  }
}
