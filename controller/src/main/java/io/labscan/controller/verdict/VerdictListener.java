package io.labscan.controller.verdict;

import java.time.Instant;

/**
 * Told when a host's verdict changes (once per change, not once per report): the hook for
 * alerts. Called on the verdict thread; implementations hand slow work to their own thread.
 */
@FunctionalInterface
public interface VerdictListener {
  void verdictChanged(String hostId, String hostname, Assessment assessment, Instant at);

  /**
   * Told once when a host is first seen reporting an address another host reports too (the
   * reason with code {@link VerdictRules#ADDRESS_CONFLICT}); the verdict need not change.
   */
  default void addressConflict(String hostId, String hostname, Assessment assessment, Reason conflict, Instant at) {}
}
