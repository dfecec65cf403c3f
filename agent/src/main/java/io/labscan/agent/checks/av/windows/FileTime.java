package io.labscan.agent.checks.av.windows;

import java.time.Instant;
import java.util.Optional;

/**
 * Windows FILETIME: 100-nanosecond ticks since 1601-01-01 UTC, stored in REG_BINARY values
 * as 8 little-endian bytes.
 */
public final class FileTime {
  /** Ticks between 1601-01-01 and 1970-01-01. */
  static final long EPOCH_OFFSET_TICKS = 116_444_736_000_000_000L;

  private FileTime() {}

  /** The instant in 8 little-endian bytes; empty for any other length or a negative value. */
  public static Optional<Instant> fromLittleEndian(byte[] bytes) {
    if (bytes == null || bytes.length != 8) {
      return Optional.empty();
    }
    long ticks = 0;
    for (int i = 7; i >= 0; i--) {
      ticks = (ticks << 8) | (bytes[i] & 0xFF);
    }
    return fromTicks(ticks);
  }

  public static Optional<Instant> fromTicks(long ticks) {
    if (ticks < 0) {
      return Optional.empty();
    }
    long sinceUnixEpoch = ticks - EPOCH_OFFSET_TICKS;
    return Optional.of(Instant.ofEpochSecond(
        Math.floorDiv(sinceUnixEpoch, 10_000_000L),
        Math.floorMod(sinceUnixEpoch, 10_000_000L) * 100));
  }
}
