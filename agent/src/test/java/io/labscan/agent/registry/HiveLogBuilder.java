package io.labscan.agent.registry;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes new-format hive transaction logs for tests: a 512-byte base block of file type 6, then
 * HvLE entries whose dirty pages are the 4 KiB pages in which a newer image of the hive differs
 * from an older one, hashed with Marvin32 as Windows hashes them.
 */
final class HiveLogBuilder {
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  HiveLogBuilder() {
    ByteBuffer base = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    base.put(0, "regf".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    base.putInt(20, 1);
    base.putInt(24, 5);
    base.putInt(28, 6);
    log.writeBytes(base.array());
  }

  /** An entry turning the hive image {@code before} into {@code after} (whole files). */
  HiveLogBuilder entry(int sequence, byte[] before, byte[] after) {
    int binsSize = after.length - 4096;
    List<int[]> pages = new ArrayList<>();
    for (int off = 0; off < binsSize; off += 4096) {
      byte[] now = Arrays.copyOfRange(after, 4096 + off, 4096 + off + 4096);
      byte[] then = 4096 + off + 4096 <= before.length
          ? Arrays.copyOfRange(before, 4096 + off, 4096 + off + 4096) : new byte[0];
      if (!Arrays.equals(now, then)) {
        pages.add(new int[] {off, 4096});
      }
    }
    int size = 40 + 8 * pages.size() + 4096 * pages.size();
    size = (size + 511) / 512 * 512;
    ByteBuffer e = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    e.put(0, "HvLE".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    e.putInt(4, size);
    e.putInt(12, sequence);
    e.putInt(16, binsSize);
    e.putInt(20, pages.size());
    int data = 40 + 8 * pages.size();
    for (int i = 0; i < pages.size(); i++) {
      e.putInt(40 + 8 * i, pages.get(i)[0]);
      e.putInt(44 + 8 * i, 4096);
      e.put(data, after, 4096 + pages.get(i)[0], 4096);
      data += 4096;
    }
    byte[] bytes = e.array();
    e.putLong(24, Marvin32.hash(bytes, 40, size - 40, Marvin32.HIVE_LOG_SEED));
    e.putLong(32, Marvin32.hash(bytes, 0, 32, Marvin32.HIVE_LOG_SEED));
    log.writeBytes(bytes);
    return this;
  }

  /** Flips a byte of the last entry's pages: its Hash-1 no longer matches. */
  HiveLogBuilder damageLastEntry() {
    byte[] bytes = log.toByteArray();
    bytes[bytes.length - 100] ^= 0x5a;
    log.reset();
    log.writeBytes(bytes);
    return this;
  }

  Path write(Path file) throws java.io.IOException {
    return Files.write(file, log.toByteArray());
  }
}
