package io.labscan.agent.checks.artifacts;

import java.util.Arrays;

/**
 * Sorted, disjoint, inclusive ranges of file positions: the set of places a signature
 * segment may start. Bounded gaps make this a set rather than one position; keeping it as
 * ranges instead of trying alternatives one by one is what keeps matching free of
 * backtracking.
 */
final class Intervals {
  /** More ranges than this means a pathological file: the caller gives up on the file. */
  static final int MAX_RANGES = 1 << 16;

  private long[] bounds = new long[8]; // lo0, hi0, lo1, hi1, ...
  private int count;

  static Intervals of(long lo, long hi) {
    Intervals r = new Intervals();
    r.add(lo, hi);
    return r;
  }

  boolean isEmpty() {
    return count == 0;
  }

  int ranges() {
    return count;
  }

  long lo(int i) {
    return bounds[2 * i];
  }

  long hi(int i) {
    return bounds[2 * i + 1];
  }

  long first() {
    return bounds[0];
  }

  long last() {
    return bounds[2 * count - 1];
  }

  /**
   * Adds a range; ranges must come in ascending order of {@code lo}. Overlapping or touching
   * ranges merge. Returns false (and adds nothing) when the set would grow past
   * {@link #MAX_RANGES}.
   */
  boolean add(long lo, long hi) {
    if (lo > hi) {
      return true;
    }
    if (count > 0 && lo <= bounds[2 * count - 1] + 1) {
      bounds[2 * count - 1] = Math.max(bounds[2 * count - 1], hi);
      return true;
    }
    if (count == MAX_RANGES) {
      return false;
    }
    if (2 * count + 2 > bounds.length) {
      bounds = Arrays.copyOf(bounds, bounds.length * 2);
    }
    bounds[2 * count] = lo;
    bounds[2 * count + 1] = hi;
    count++;
    return true;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      b.append(i == 0 ? "" : ", ").append(lo(i)).append("..").append(hi(i));
    }
    return b.append(']').toString();
  }
}
