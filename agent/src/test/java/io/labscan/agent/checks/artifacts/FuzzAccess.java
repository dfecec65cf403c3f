package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.rules.Signatures;

/**
 * The package-private entry points the fuzz tests in {@code io.labscan.agent.fuzz} drive.
 * Test code only.
 */
public final class FuzzAccess {
  private FuzzAccess() {}

  /** What scanning one buffer with a database's body signatures gave. */
  public record Scan(int matches, boolean gaveUp) {}

  /** Scans {@code data} with the body signatures of {@code signatures}, default budget. */
  public static Scan scanBodies(Signatures signatures, byte[] data) {
    requireNonNull(signatures, "signatures");
    requireNonNull(data, "data");
    BodyMatcher.Result r = CompiledSignatures.of(signatures).bodyMatcher().scan(data, data.length);
    return new Scan(r.matches().size(), r.gaveUp());
  }
}
