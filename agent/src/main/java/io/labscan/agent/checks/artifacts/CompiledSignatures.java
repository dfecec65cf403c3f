package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.rules.Signatures;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The agent's compiled form of a rule set's {@link Signatures}: the size-keyed hash index and
 * the Aho-Corasick body matcher that {@link TreeScan} runs over every file.
 *
 * <p>The language lives in the contract (the controller parses and checks a rule set before
 * pushing it); compiling it is the agent's business. Compiled once per {@code Signatures}
 * object and kept while that object lives (a weak, identity-keyed cache: {@code Signatures}
 * does not override {@code equals}), so every scan of one rule set shares one matcher, as it
 * did when the matchers were built with the signatures.
 */
record CompiledSignatures(HashIndex hashIndex, BodyMatcher bodyMatcher) {
  private static final Map<Signatures, CompiledSignatures> COMPILED =
      Collections.synchronizedMap(new WeakHashMap<>());

  CompiledSignatures {
    requireNonNull(hashIndex, "hashIndex");
    requireNonNull(bodyMatcher, "bodyMatcher");
  }

  /** The compiled form of {@code signatures}, built on first use. */
  static CompiledSignatures of(Signatures signatures) {
    requireNonNull(signatures, "signatures");
    return COMPILED.computeIfAbsent(signatures,
        s -> new CompiledSignatures(new HashIndex(s.hashes()), new BodyMatcher(s.bodies())));
  }
}
