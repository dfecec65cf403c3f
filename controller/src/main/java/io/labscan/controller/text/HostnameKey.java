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
 * <p>Known limit: confusable letters of other scripts (Cyrillic "а" for Latin "a") keep distinct
 * keys; the answer shows such a name as written, and the host id beside it only when another
 * host's key is equal.
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
    n.codePoints().filter(cp -> !ignorable(cp)).forEach(sb::appendCodePoint);
    // Upper then lower: folds the letters whose lower case alone is not their fold (e.g. final sigma).
    String k = sb.toString().toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT).strip();
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
