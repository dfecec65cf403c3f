package io.labscan.contract.rules;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A digest of everything in a rule set that decides what a file scan reports, the same in
 * every JVM: a change journal's folder outcome is reused only under the same fingerprint, so
 * any rule or signature change makes every folder be looked at again. Records are taken field
 * by field and sets in sorted order ({@code Set.of} iterates in a per-JVM random order, and
 * the scan worker is another JVM than the one that recorded the outcome).
 */
public final class RuleFingerprint {
  private final MessageDigest sha = HashAlgorithm.SHA256.newDigest();

  public RuleFingerprint add(Object value) {
    sha.update(canonical(value).getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    return this;
  }

  /** Adds text as it is (for the many signatures: no reflection per item). */
  RuleFingerprint addText(String text) {
    sha.update(text.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    return this;
  }

  public String hex() {
    return HexFormat.of().formatHex(sha.digest());
  }

  static String canonical(Object value) {
    if (value instanceof Record r) {
      StringBuilder out = new StringBuilder(r.getClass().getSimpleName()).append('(');
      for (RecordComponent c : r.getClass().getRecordComponents()) {
        Object field;
        try {
          field = c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException | RuntimeException e) {
          field = "?" + e.getClass().getSimpleName(); // cannot happen for this package's records
        }
        out.append(c.getName()).append('=').append(canonical(field)).append(';');
      }
      return out.append(')').toString();
    }
    if (value instanceof Set<?> set) {
      List<String> parts = new ArrayList<>(set.size());
      set.forEach(e -> parts.add(canonical(e)));
      parts.sort(null);
      return "{" + String.join(",", parts) + "}";
    }
    if (value instanceof Collection<?> list) {
      List<String> parts = new ArrayList<>(list.size());
      list.forEach(e -> parts.add(canonical(e)));
      return "[" + String.join(",", parts) + "]";
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, String> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(canonical(k), canonical(v)));
      return sorted.toString();
    }
    return String.valueOf(value);
  }
}
