package io.labscan.agent.checks.artifacts;

import io.labscan.contract.rules.HashAlgorithm;
import io.labscan.contract.rules.HashSignature;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Hash signatures grouped by file size, so the walk asks "does any signature have this
 * size?" in O(1) and hashes only files that could match (plus every file when a signature
 * has size {@code *}). Digests are computed once per file for exactly the algorithms needed.
 */
final class HashIndex {
  private final Map<Long, EnumSet<HashAlgorithm>> algorithmsBySize = new HashMap<>();
  private final EnumSet<HashAlgorithm> anySize = EnumSet.noneOf(HashAlgorithm.class);
  /**
   * Keyed by the digest's first 16 hex digits as a number: a rescan asks once per file, and
   * hashing a fresh 64-character string each time showed in the profile.
   */
  private final Map<Long, List<HashSignature>> byPrefix = new HashMap<>();
  private final int count;

  HashIndex(Collection<HashSignature> signatures) {
    for (HashSignature s : signatures) {
      if (s.anySize()) {
        anySize.add(s.algorithm());
      } else {
        algorithmsBySize.computeIfAbsent(s.size(), k -> EnumSet.noneOf(HashAlgorithm.class))
            .add(s.algorithm());
      }
      prefix(s.hex()).ifPresent(p -> byPrefix.computeIfAbsent(p, k -> new ArrayList<>(1)).add(s));
    }
    this.count = signatures.size();
  }

  int size() {
    return count;
  }

  /** The digests a file of this size needs; empty when no signature could match it. */
  Set<HashAlgorithm> needed(long size) {
    EnumSet<HashAlgorithm> bySize = algorithmsBySize.get(size);
    if (bySize == null) {
      return anySize.isEmpty() ? Set.of() : anySize;
    }
    if (anySize.isEmpty()) {
      return bySize;
    }
    EnumSet<HashAlgorithm> both = EnumSet.copyOf(bySize);
    both.addAll(anySize);
    return both;
  }

  /** The signatures matching a file of this size with these digests (lower-case hex), MD5 ones first. */
  List<HashSignature> matches(long size, Map<HashAlgorithm, String> digests) {
    List<HashSignature> out = new ArrayList<>(0);
    for (HashAlgorithm algorithm : HashAlgorithm.values()) { // stable order: MD5, SHA-1, SHA-256
      String hex = digests.get(algorithm);
      OptionalLong prefix = hex == null ? OptionalLong.empty() : prefix(hex);
      if (prefix.isEmpty()) {
        continue;
      }
      for (HashSignature s : byPrefix.getOrDefault(prefix.getAsLong(), List.of())) {
        if (s.algorithm() == algorithm && (s.anySize() || s.size() == size) && s.hex().equals(hex)) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** The first 16 hex digits of a digest; empty for text that is not lower-case hex. */
  private static OptionalLong prefix(String hex) {
    if (hex.length() < 16) {
      return OptionalLong.empty();
    }
    long value = 0;
    for (int i = 0; i < 16; i++) {
      char c = hex.charAt(i);
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) {
        return OptionalLong.empty();
      }
      value = value << 4 | digit;
    }
    return OptionalLong.of(value);
  }
}
