package io.labscan.agent.checks.artifacts;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hash signatures grouped by file size, so the walk asks "does any signature have this
 * size?" in O(1) and hashes only files that could match (plus every file when a signature
 * has size {@code *}). Digests are computed once per file for exactly the algorithms needed.
 */
final class HashIndex {
  private final Map<Long, EnumSet<HashAlgorithm>> algorithmsBySize = new HashMap<>();
  private final EnumSet<HashAlgorithm> anySize = EnumSet.noneOf(HashAlgorithm.class);
  private final Map<String, List<HashSignature>> byDigest = new HashMap<>();
  private final int count;

  HashIndex(Collection<HashSignature> signatures) {
    for (HashSignature s : signatures) {
      if (s.anySize()) {
        anySize.add(s.algorithm());
      } else {
        algorithmsBySize.computeIfAbsent(s.size(), k -> EnumSet.noneOf(HashAlgorithm.class))
            .add(s.algorithm());
      }
      // MD5, SHA-1 and SHA-256 hex have different lengths, so the hex alone is a unique key.
      byDigest.computeIfAbsent(s.hex(), k -> new ArrayList<>(1)).add(s);
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
      for (HashSignature s : hex == null ? List.<HashSignature>of() : byDigest.getOrDefault(hex, List.of())) {
        if (s.algorithm() == algorithm && (s.anySize() || s.size() == size)) {
          out.add(s);
        }
      }
    }
    return out;
  }
}
