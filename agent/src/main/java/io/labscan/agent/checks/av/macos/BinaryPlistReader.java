package io.labscan.agent.checks.av.macos;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Apple's binary property list, {@code bplist00}: objects addressed through an offset table
 * described by a 32-byte trailer. Every offset, count and reference is checked against the
 * input before use; reference cycles and nesting beyond {@link PlistReader#MAX_DEPTH} are
 * rejected, and each object is decoded once (shared references are reused, so a small file
 * cannot expand exponentially). Unsupported object kinds (UID, set, null) are errors.
 */
final class BinaryPlistReader {
  private static final int HEADER_LENGTH = 8;
  private static final int TRAILER_LENGTH = 32;
  /** Seconds between 1970-01-01 and Apple's reference date 2001-01-01. */
  private static final long APPLE_EPOCH_SECONDS = 978_307_200L;

  private final byte[] data;
  private final int offsetSize;
  private final int refSize;
  private final int objectCount;
  private final int offsetTable;
  private final PlistValue[] decoded;
  private final boolean[] inProgress;

  private BinaryPlistReader(byte[] data, int offsetSize, int refSize, int objectCount,
      int offsetTable) {
    this.data = data;
    this.offsetSize = offsetSize;
    this.refSize = refSize;
    this.objectCount = objectCount;
    this.offsetTable = offsetTable;
    this.decoded = new PlistValue[objectCount];
    this.inProgress = new boolean[objectCount];
  }

  static PlistValue parse(byte[] data) throws PlistParseException {
    if (data.length < HEADER_LENGTH + TRAILER_LENGTH + 1) {
      throw new PlistParseException("binary plist truncated: " + data.length + " bytes");
    }
    String magic = new String(data, 0, HEADER_LENGTH, StandardCharsets.US_ASCII);
    if (!magic.equals("bplist00")) {
      throw new PlistParseException("unsupported binary plist version "
          + io.labscan.agent.checks.av.AvText.quote(magic));
    }
    int t = data.length - TRAILER_LENGTH;
    int offsetSize = data[t + 6] & 0xFF;
    int refSize = data[t + 7] & 0xFF;
    long objectCount = longAt(data, t + 8);
    long topObject = longAt(data, t + 16);
    long offsetTable = longAt(data, t + 24);
    if (!validSize(offsetSize) || !validSize(refSize)) {
      throw new PlistParseException("binary plist trailer has invalid integer sizes");
    }
    if (objectCount < 1 || objectCount > t) {
      throw new PlistParseException("binary plist trailer has an impossible object count");
    }
    if (offsetTable < HEADER_LENGTH || offsetTable > t
        || objectCount * offsetSize > t - offsetTable) {
      throw new PlistParseException("binary plist offset table lies outside the file");
    }
    if (topObject < 0 || topObject >= objectCount) {
      throw new PlistParseException("binary plist top object is out of range");
    }
    return new BinaryPlistReader(data, offsetSize, refSize, (int) objectCount,
        (int) offsetTable).object((int) topObject, 1);
  }

  private PlistValue object(int ref, int depth) throws PlistParseException {
    if (depth > PlistReader.MAX_DEPTH) {
      throw new PlistParseException("plist nested deeper than " + PlistReader.MAX_DEPTH);
    }
    if (decoded[ref] != null) {
      return decoded[ref];
    }
    if (inProgress[ref]) {
      throw new PlistParseException("binary plist object " + ref + " contains itself");
    }
    inProgress[ref] = true;
    PlistValue value = decode(ref, depth);
    inProgress[ref] = false;
    decoded[ref] = value;
    return value;
  }

  private PlistValue decode(int ref, int depth) throws PlistParseException {
    long offset = unsigned(offsetTable + (long) ref * offsetSize, offsetSize);
    if (offset < HEADER_LENGTH || offset >= offsetTable) {
      throw new PlistParseException("binary plist object " + ref + " lies outside the data");
    }
    int at = (int) offset;
    int marker = data[at] & 0xFF;
    int kind = marker >>> 4;
    int low = marker & 0x0F;
    switch (kind) {
      case 0x0:
        if (marker == 0x08) {
          return new PlistValue.Bool(false);
        }
        if (marker == 0x09) {
          return new PlistValue.Bool(true);
        }
        throw unsupported(marker);
      case 0x1: {
        if (low > 3) {
          throw new PlistParseException("binary plist integer wider than 64 bits");
        }
        int size = 1 << low;
        require(at + 1, size);
        long v = unsigned(at + 1, size);
        return new PlistValue.Int(v); // 8-byte integers are signed; smaller ones are not
      }
      case 0x2: {
        if (low != 2 && low != 3) {
          throw new PlistParseException("binary plist real of unsupported size");
        }
        int size = 1 << low;
        require(at + 1, size);
        long bits = unsigned(at + 1, size);
        return new PlistValue.Real(size == 4
            ? Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits));
      }
      case 0x3: {
        if (marker != 0x33) {
          throw unsupported(marker);
        }
        require(at + 1, 8);
        double seconds = Double.longBitsToDouble(unsigned(at + 1, 8));
        if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e11) {
          throw new PlistParseException("binary plist date out of range");
        }
        long nanos = (long) ((seconds - Math.floor(seconds)) * 1e9);
        return new PlistValue.Date(Instant.ofEpochSecond(APPLE_EPOCH_SECONDS)
            .plus(Duration.ofSeconds((long) Math.floor(seconds), nanos)));
      }
      case 0x4: {
        int[] count = count(at, low);
        require(count[1], count[0]);
        byte[] bytes = new byte[count[0]];
        System.arraycopy(data, count[1], bytes, 0, count[0]);
        return new PlistValue.Data(bytes);
      }
      case 0x5: {
        int[] count = count(at, low);
        require(count[1], count[0]);
        return new PlistValue.Str(new String(data, count[1], count[0],
            StandardCharsets.US_ASCII));
      }
      case 0x6: {
        int[] count = count(at, low);
        if (count[0] > Integer.MAX_VALUE / 2) {
          throw new PlistParseException("binary plist string too long");
        }
        require(count[1], count[0] * 2);
        return new PlistValue.Str(new String(data, count[1], count[0] * 2,
            StandardCharsets.UTF_16BE));
      }
      case 0xA: {
        int[] count = count(at, low);
        require(count[1], (long) count[0] * refSize);
        List<PlistValue> items = new ArrayList<>(Math.min(count[0], 1024));
        for (int i = 0; i < count[0]; i++) {
          items.add(object(reference(count[1] + i * refSize), depth + 1));
        }
        return new PlistValue.Array(items);
      }
      case 0xD: {
        int[] count = count(at, low);
        require(count[1], 2L * count[0] * refSize);
        Map<String, PlistValue> entries = new LinkedHashMap<>();
        int values = count[1] + count[0] * refSize;
        for (int i = 0; i < count[0]; i++) {
          PlistValue key = object(reference(count[1] + i * refSize), depth + 1);
          if (!(key instanceof PlistValue.Str s)) {
            throw new PlistParseException("binary plist dictionary key is not a string");
          }
          entries.put(s.value(), object(reference(values + i * refSize), depth + 1));
        }
        return new PlistValue.Dict(entries);
      }
      default:
        throw unsupported(marker);
    }
  }

  /** Element count and where the elements start: the low nibble, or an integer object. */
  private int[] count(int at, int low) throws PlistParseException {
    if (low != 0x0F) {
      return new int[] {low, at + 1};
    }
    require(at + 1, 1);
    int marker = data[at + 1] & 0xFF;
    if ((marker >>> 4) != 0x1 || (marker & 0x0F) > 3) {
      throw new PlistParseException("binary plist count is not an integer");
    }
    int size = 1 << (marker & 0x0F);
    require(at + 2, size);
    long count = unsigned(at + 2, size);
    if (count < 0 || count > offsetTable) {
      throw new PlistParseException("binary plist count exceeds the file");
    }
    return new int[] {(int) count, at + 2 + size};
  }

  private int reference(int at) throws PlistParseException {
    long ref = unsigned(at, refSize);
    if (ref < 0 || ref >= objectCount) {
      throw new PlistParseException("binary plist reference " + ref + " is out of range");
    }
    return (int) ref;
  }

  /** Checks that {@code length} bytes from {@code at} lie before the offset table. */
  private void require(long at, long length) throws PlistParseException {
    if (at < 0 || length < 0 || at + length > offsetTable) {
      throw new PlistParseException("binary plist object runs past its data");
    }
  }

  private long unsigned(long at, int size) {
    long v = 0;
    for (int i = 0; i < size; i++) {
      v = (v << 8) | (data[(int) at + i] & 0xFF);
    }
    return v;
  }

  private static long longAt(byte[] data, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (data[at + i] & 0xFF);
    }
    return v;
  }

  private static boolean validSize(int size) {
    return size == 1 || size == 2 || size == 4 || size == 8;
  }

  private static PlistParseException unsupported(int marker) {
    return new PlistParseException(String.format(Locale.ROOT,
        "binary plist object type 0x%02x not supported", marker));
  }
}
