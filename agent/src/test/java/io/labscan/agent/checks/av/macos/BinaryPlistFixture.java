package io.labscan.agent.checks.av.macos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes small binary plists ({@code bplist00}) the way CoreFoundation lays them out:
 * objects, then the offset table, then the 32-byte trailer. Supports a top-level dict of
 * string keys to string or integer values, which is all XProtect's plists need.
 */
final class BinaryPlistFixture {
  private BinaryPlistFixture() {}

  static byte[] dict(Map<String, Object> entries) {
    List<byte[]> objects = new ArrayList<>();
    objects.add(null); // the dict itself, written last when refs are known
    List<Integer> keyRefs = new ArrayList<>();
    List<Integer> valueRefs = new ArrayList<>();
    for (Map.Entry<String, Object> e : entries.entrySet()) {
      keyRefs.add(objects.size());
      objects.add(string(e.getKey()));
    }
    for (Object value : entries.values()) {
      valueRefs.add(objects.size());
      objects.add(value instanceof Long l ? integer(l) : string((String) value));
    }
    ByteArrayOutputStream dict = new ByteArrayOutputStream();
    dict.write(0xD0 | entries.size());
    keyRefs.forEach(dict::write);
    valueRefs.forEach(dict::write);
    objects.set(0, dict.toByteArray());
    return assemble(objects, 0);
  }

  /** Objects given as encoded bytes; references are one byte, offsets two. */
  static byte[] assemble(List<byte[]> objects, int top) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("bplist00".getBytes(StandardCharsets.US_ASCII));
    List<Integer> offsets = new ArrayList<>();
    for (byte[] object : objects) {
      offsets.add(out.size());
      out.writeBytes(object);
    }
    int offsetTable = out.size();
    for (int offset : offsets) {
      out.write(offset >>> 8);
      out.write(offset);
    }
    byte[] trailer = new byte[32];
    trailer[6] = 2;
    trailer[7] = 1;
    putLong(trailer, 8, objects.size());
    putLong(trailer, 16, top);
    putLong(trailer, 24, offsetTable);
    out.writeBytes(trailer);
    return out.toByteArray();
  }

  static byte[] string(String s) {
    byte[] ascii = s.getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (ascii.length < 15) {
      out.write(0x50 | ascii.length);
    } else {
      out.write(0x5F);
      out.write(0x10);
      out.write(ascii.length);
    }
    out.writeBytes(ascii);
    return out.toByteArray();
  }

  static byte[] integer(long v) {
    byte[] out = new byte[9];
    out[0] = 0x13;
    putLong(out, 1, v);
    return out;
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (56 - 8 * i));
    }
  }
}
