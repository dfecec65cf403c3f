package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.rules.BodySignature;
import io.labscan.contract.rules.Signatures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Matches {@code .ndb} body signatures against file contents.
 *
 * <p>Signatures allowed anywhere ({@code *} offset) are found through their anchors (the
 * longest run of fixed bytes) with one Aho-Corasick pass over the file; each anchor hit is
 * verified outward: the segments after the anchor forward, those before it backward. Gaps
 * are followed as sets of possible positions ({@link Intervals}), never by trying
 * alternatives recursively, so no input makes matching exponential. Signatures at fixed
 * offsets ({@code n}, {@code EOF-n}) are verified directly at their window.
 *
 * <p>The work per file is bounded by a budget of byte comparisons (linear in the file size);
 * a file that exhausts it (a megabyte of zeros against a signature full of {@code 00}) is
 * reported as not fully scanned rather than letting one file stall the scan.
 */
final class BodyMatcher {
  /** The verdict on one file. */
  record Result(List<BodySignature> matches, boolean gaveUp) {
    Result {
      matches = List.copyOf(matches);
    }
  }

  private final List<BodySignature> anchored = new ArrayList<>();
  private final List<BodySignature> placed = new ArrayList<>();
  /** Null when no signature is anchored anywhere in the body (all are placed at offsets). */
  private final @Nullable AhoCorasick automaton;

  BodyMatcher(List<BodySignature> signatures) {
    for (BodySignature s : requireNonNull(signatures, "signatures")) {
      if (s.offset().kind() == BodySignature.Offset.Kind.ANY) {
        anchored.add(s);
      } else {
        placed.add(s);
      }
    }
    automaton = anchored.isEmpty() ? null
        : new AhoCorasick(anchored.stream().map(BodySignature::anchor).toList());
  }

  boolean isEmpty() {
    return anchored.isEmpty() && placed.isEmpty();
  }

  /** The default budget: generous for real files, small enough that no file stalls a scan. */
  static long budgetFor(int length) {
    return 64L * length + (1L << 20);
  }

  Result scan(byte[] data, int length) {
    return scan(data, length, budgetFor(length));
  }

  Result scan(byte[] data, int length, long budget) {
    FileScan scan = new FileScan(data, length, budget);
    List<BodySignature> found = new ArrayList<>();
    try {
      for (BodySignature s : placed) {
        if (s.target().accepts(data, length) && scan.placedMatches(s)) {
          found.add(s);
        }
      }
      if (automaton != null) {
        boolean[] matched = new boolean[anchored.size()];
        automaton.scan(data, length, (index, end) -> {
          if (!matched[index]) {
            BodySignature s = anchored.get(index);
            if (s.target().accepts(data, length) && scan.anchoredMatches(index, s, end)) {
              matched[index] = true;
              found.add(s);
            }
          }
          return true;
        });
      }
      return new Result(found, false);
    } catch (GiveUp e) {
      return new Result(found, true);
    }
  }

  /** Unwinds a scan whose budget ran out. No stack trace: it is control flow. */
  private static final class GiveUp extends RuntimeException {
    GiveUp() {
      super("body scan budget exhausted", null, false, false);
    }
  }

  /** Memo of the last search per segment, so chains of {@code *} gaps stay linear. */
  private static final class Memo {
    final long[] query;
    final long[] result;
    final boolean[] valid;

    Memo(int segments) {
      query = new long[segments];
      result = new long[segments];
      valid = new boolean[segments];
    }
  }

  private final class FileScan {
    private final byte[] d;
    private final int n;
    private long budget;
    private final Map<Integer, Memo> forwardMemo = new HashMap<>();
    private final Map<Integer, Memo> backwardMemo = new HashMap<>();

    FileScan(byte[] data, int length, long budget) {
      this.d = data;
      this.n = length;
      this.budget = budget;
    }

    boolean placedMatches(BodySignature s) {
      long[] window = s.offset().window(n);
      if (window == null) {
        return false;
      }
      long lo = Math.max(0, window[0]);
      long hi = Math.min(window[1], (long) n - s.segment(0).length());
      return lo <= hi && forward(s, 0, Intervals.of(lo, hi), null);
    }

    boolean anchoredMatches(int index, BodySignature s, int anchorEnd) {
      int a = s.anchorSegment();
      long p = (long) anchorEnd - s.anchorLength() - s.anchorStart();
      if (p < 0 || p + s.segment(a).length() > n) {
        return false;
      }
      Memo fwd = forwardMemo.computeIfAbsent(index, i -> new Memo(s.segmentCount()));
      Memo bwd = backwardMemo.computeIfAbsent(index, i -> new Memo(s.segmentCount()));
      return forward(s, a, Intervals.of(p, p), fwd) && backward(s, a, p, bwd);
    }

    /** Whether segments {@code j0..} can be placed, segment j0 starting in {@code cand}. */
    private boolean forward(BodySignature s, int j0, Intervals cand, @Nullable Memo memo) {
      int k = s.segmentCount();
      for (int j = j0; j < k; j++) {
        boolean firstOnly = j == k - 1 || s.gapMax(j) == BodySignature.UNBOUNDED;
        Intervals found = findForward(s.segment(j), j, cand, firstOnly, memo);
        if (found.isEmpty()) {
          return false;
        }
        if (j == k - 1) {
          return true;
        }
        long len = s.segment(j).length();
        long nextLast = (long) n - s.segment(j + 1).length();
        long gmin = s.gapMin(j);
        long gmax = s.gapMax(j);
        Intervals next = new Intervals();
        for (int r = 0; r < found.ranges(); r++) {
          long lo = found.lo(r) + len + gmin;
          long hi = gmax == BodySignature.UNBOUNDED ? nextLast : Math.min(nextLast, found.hi(r) + len + gmax);
          if (!next.add(lo, hi)) {
            throw new GiveUp();
          }
        }
        if (next.isEmpty()) {
          return false;
        }
        cand = next;
      }
      return true;
    }

    /** Whether segments {@code ..a-1} can be placed before segment a starting at {@code p}. */
    private boolean backward(BodySignature s, int a, long p, Memo memo) {
      Intervals starts = Intervals.of(p, p);
      for (int j = a - 1; j >= 0; j--) {
        long len = s.segment(j).length();
        long gmin = s.gapMin(j);
        long gmax = s.gapMax(j);
        Intervals cand = new Intervals();
        for (int r = 0; r < starts.ranges(); r++) {
          long lo = gmax == BodySignature.UNBOUNDED ? 0 : Math.max(0, starts.lo(r) - gmax - len);
          long hi = Math.min((long) n - len, starts.hi(r) - gmin - len);
          if (!cand.add(lo, hi)) {
            throw new GiveUp();
          }
        }
        if (cand.isEmpty()) {
          return false;
        }
        // Only the last possible start matters when the gap before this segment is open.
        boolean lastOnly = j == 0 || s.gapMax(j - 1) == BodySignature.UNBOUNDED;
        starts = lastOnly ? findLast(s.segment(j), j, cand, memo) : findForward(s.segment(j), j, cand, false, null);
        if (starts.isEmpty()) {
          return false;
        }
      }
      return true;
    }

    /** Start positions in {@code cand} where the segment matches (only the first, if asked). */
    private Intervals findForward(BodySignature.Segment seg, int j, Intervals cand, boolean firstOnly,
        @Nullable Memo memo) {
      long last = (long) n - seg.length();
      // Only a first-match search over one range reaching the end is remembered (null: not remembered).
      Memo cache = firstOnly && cand.ranges() == 1 && cand.hi(0) >= last ? memo : null;
      long from = Math.max(0, cand.first());
      if (cache != null && cache.valid[j] && from >= cache.query[j]
          && (cache.result[j] < 0 || cache.result[j] >= from)) {
        return cache.result[j] < 0 ? new Intervals() : Intervals.of(cache.result[j], cache.result[j]);
      }
      Intervals found = new Intervals();
      for (int r = 0; r < cand.ranges(); r++) {
        long hi = Math.min(cand.hi(r), last);
        for (long pos = Math.max(0, cand.lo(r)); pos <= hi; pos++) {
          if (matchesAt(seg, pos)) {
            if (firstOnly) {
              if (cache != null) {
                remember(cache, j, from, pos);
              }
              return Intervals.of(pos, pos);
            }
            if (!found.add(pos, pos)) {
              throw new GiveUp();
            }
          }
        }
      }
      if (cache != null) {
        remember(cache, j, from, -1);
      }
      return found;
    }

    /** The last start position in {@code cand} where the segment matches. */
    private Intervals findLast(BodySignature.Segment seg, int j, Intervals cand, Memo memo) {
      long top = Math.min(cand.last(), (long) n - seg.length());
      // Searches from 0 to an ever higher top (anchor hits come in file order) reuse the
      // previous answer and only look at the new stretch above the previous top.
      boolean memoable = cand.ranges() == 1 && cand.first() <= 0;
      long floor = -1;
      long known = -1;
      if (memoable && memo.valid[j]) {
        if (top <= memo.query[j] && memo.result[j] <= top) {
          return memo.result[j] < 0 ? new Intervals() : Intervals.of(memo.result[j], memo.result[j]);
        }
        if (top > memo.query[j]) {
          floor = memo.query[j];
          known = memo.result[j];
        }
      }
      for (int r = cand.ranges() - 1; r >= 0; r--) {
        long lo = Math.max(Math.max(0, cand.lo(r)), floor + 1);
        for (long pos = Math.min(cand.hi(r), top); pos >= lo; pos--) {
          if (matchesAt(seg, pos)) {
            if (memoable) {
              remember(memo, j, top, pos);
            }
            return Intervals.of(pos, pos);
          }
        }
      }
      if (memoable) {
        remember(memo, j, top, known);
      }
      return known < 0 ? new Intervals() : Intervals.of(known, known);
    }

    private boolean matchesAt(BodySignature.Segment seg, long pos) {
      int m = seg.matchLength(d, (int) pos);
      budget -= m + 1;
      if (budget < 0) {
        throw new GiveUp();
      }
      return m == seg.length();
    }

    private void remember(Memo memo, int j, long query, long result) {
      memo.valid[j] = true;
      memo.query[j] = query;
      memo.result[j] = result;
    }
  }
}
