package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * Deterministic per-host delay: the same host always gets the same offset, and offsets of
 * many hosts spread evenly over the window, so a lab never scans all at once.
 */
public final class Jitter {
  private Jitter() {}

  public static Duration forHost(String hostId, Duration max) {
    requireNonNull(hostId, "hostId");
    requireNonNull(max, "max");
    if (max.isZero() || max.isNegative()) {
      return Duration.ZERO;
    }
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(hostId.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return Duration.ofSeconds(Math.floorMod(v, max.toSeconds() + 1));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from this JVM", e);
    }
  }
}
