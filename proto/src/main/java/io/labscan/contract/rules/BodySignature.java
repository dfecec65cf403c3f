package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A compiled {@code .ndb} body signature: byte segments (with {@code ??} and nibble
 * wildcards folded into per-byte masks) separated by gaps ({@code *}, {@code {n-m}} ...),
 * where the file may contain it ({@link Offset}), and what kind of file it targets.
 *
 * <p>For signatures that may start anywhere, {@code anchor*} names the longest run of fixed
 * bytes (at most {@link #MAX_ANCHOR} long); the matcher searches all anchors at once and
 * verifies the rest of the signature around each hit.
 */
public final class BodySignature {
  public static final long UNBOUNDED = Long.MAX_VALUE;
  static final int MAX_ANCHOR = 32;

  /** ClamAV target types this engine knows how to recognise. */
  public enum Target {
    ANY(0), PE(1), ELF(6);

    final int code;

    Target(int code) {
      this.code = code;
    }

    /** PE is approximated by the "MZ" DOS header, ELF by its magic. */
    public boolean accepts(byte[] data, int length) {
      return switch (this) {
        case ANY -> true;
        case PE -> length >= 2 && data[0] == 'M' && data[1] == 'Z';
        case ELF -> length >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F';
      };
    }
  }

  /** Where the first byte of the signature may be. */
  public record Offset(Kind kind, long n, long shift) {
    public enum Kind { ANY, ABSOLUTE, FROM_END }

    static final Offset ANYWHERE = new Offset(Kind.ANY, 0, 0);

    /** Inclusive range of allowed start positions in a file of this length, or null if none. */
    public long @Nullable [] window(long length) {
      return switch (kind) {
        case ANY -> new long[] {0, length};
        case ABSOLUTE -> new long[] {n, n + shift};
        case FROM_END -> length - n < 0 ? null : new long[] {length - n, length - n + shift};
      };
    }

    @Override
    public String toString() {
      String base = switch (kind) {
        case ANY -> "*";
        case ABSOLUTE -> Long.toString(n);
        case FROM_END -> "EOF-" + n;
      };
      return shift > 0 ? base + "," + shift : base;
    }
  }

  /** Bytes with masks: 0xFF must equal, 0xF0 / 0x0F one nibble, 0x00 anything. */
  public record Segment(byte[] bytes, byte[] masks) {
    public int length() {
      return bytes.length;
    }

    /** How many leading bytes match at {@code pos}; {@link #length()} means a full match. */
    public int matchLength(byte[] data, int pos) {
      int i = 0;
      while (i < bytes.length && ((data[pos + i] ^ bytes[i]) & masks[i]) == 0) {
        i++;
      }
      return i;
    }
  }

  private final String name;
  private final String origin;
  private final String text;
  private final Target target;
  private final Offset offset;
  private final Segment[] segments;
  private final long[] gapMin;
  private final long[] gapMax;
  private final int anchorSegment;
  private final int anchorStart;
  private final int anchorLength;

  BodySignature(String name, String origin, String text, Target target, Offset offset,
      List<Segment> segments, long[] gapMin, long[] gapMax) {
    this.name = requireNonNull(name, "name");
    this.origin = requireNonNull(origin, "origin");
    this.text = requireNonNull(text, "text");
    this.target = requireNonNull(target, "target");
    this.offset = requireNonNull(offset, "offset");
    this.segments = segments.toArray(Segment[]::new);
    if (this.segments.length == 0 || gapMin.length != this.segments.length - 1
        || gapMax.length != gapMin.length) {
      throw new IllegalArgumentException("segments and gaps do not line up");
    }
    this.gapMin = gapMin.clone();
    this.gapMax = gapMax.clone();
    int bestSeg = -1;
    int bestStart = 0;
    int bestLen = 0;
    for (int s = 0; s < this.segments.length; s++) {
      byte[] masks = this.segments[s].masks();
      int run = 0;
      for (int i = 0; i <= masks.length; i++) {
        if (i < masks.length && masks[i] == (byte) 0xFF) {
          run++;
        } else {
          if (run > bestLen) {
            bestSeg = s;
            bestStart = i - run;
            bestLen = run;
          }
          run = 0;
        }
      }
    }
    this.anchorSegment = bestSeg;
    this.anchorStart = bestStart;
    this.anchorLength = Math.min(bestLen, MAX_ANCHOR);
  }

  public String name() {
    return name;
  }

  public String origin() {
    return origin;
  }

  /** The signature line as loaded (for the rule-set digest that keys cached results). */
  String text() {
    return text;
  }

  public Target target() {
    return target;
  }

  public Offset offset() {
    return offset;
  }

  public int segmentCount() {
    return segments.length;
  }

  public Segment segment(int i) {
    return segments[i];
  }

  public long gapMin(int afterSegment) {
    return gapMin[afterSegment];
  }

  public long gapMax(int afterSegment) {
    return gapMax[afterSegment];
  }

  public int anchorSegment() {
    return anchorSegment;
  }

  public int anchorStart() {
    return anchorStart;
  }

  public int anchorLength() {
    return anchorLength;
  }

  /** The anchor bytes (a run of fixed bytes inside {@link #anchorSegment()}). */
  public byte[] anchor() {
    byte[] all = segments[anchorSegment].bytes();
    byte[] out = new byte[anchorLength];
    System.arraycopy(all, anchorStart, out, 0, anchorLength);
    return out;
  }

  @Override
  public String toString() {
    return name + " (" + origin + ")";
  }
}
