package io.labscan.agent.registry;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Brings a dirty hive up to date from its transaction logs, as Windows does when it loads the
 * hive. Since Windows 8.1 changes go to {@code <hive>.LOG1}/{@code .LOG2} first and reach the
 * hive file itself later, so a machine switched off hard (the usual state of a disk pulled from
 * an infected machine) has hives whose newest keys, a worm's Run value among them, exist only in
 * the logs.
 *
 * <p>New-format logs only (base block of file type 6, then {@code HvLE} entries; see
 * "Windows registry file format specification", M. Suhanov). An entry is used only when its
 * signature, size, hive size and both Marvin32 hashes are right; entries are applied in
 * sequence-number order from the hive's secondary sequence number on, and recovery stops at the
 * first bad entry or gap, as Windows stops. The hive file is never written: the pages are applied
 * to a copy in a temporary file, which is removed once mapped.
 */
final class HiveLogs {
  /** Logs larger than this are not read (real ones are a few MiB; both are held in memory at once). */
  static final long MAX_LOG_BYTES = 32L << 20;
  private static final int SECTOR = 512;
  private static final int BASE_BLOCK = 4096;
  private static final int ENTRY_HEADER = 40;

  private HiveLogs() {}

  /** One valid log entry: its sequence number, hive size, and pages (offset, bytes). */
  record Entry(int sequence, int binsSize, List<Page> pages) {}

  /** A page to write at {@code offset} of the hive bins: {@code length} bytes of {@code log} from {@code from}. */
  record Page(int offset, byte[] log, int from, int length) {}

  /** What recovery did. */
  record Outcome(RegfHive hive, int entriesApplied) {}

  /**
   * The hive with the log entries that apply to it, or empty when no log holds any (the caller
   * then reads the hive as it is, and says it is dirty).
   */
  static Optional<Outcome> recover(Path hiveFile, RegfHive hive, List<Path> logs) throws IOException,
      HiveFormatException {
    requireNonNull(hiveFile, "hiveFile");
    requireNonNull(hive, "hive");
    requireNonNull(logs, "logs");
    List<Entry> entries = new ArrayList<>();
    for (Path log : logs) {
      entries.addAll(entries(log));
    }
    List<Entry> applicable = applicable(entries, hive.secondarySequence());
    if (applicable.isEmpty()) {
      return Optional.empty();
    }
    Path copy = Files.createTempFile("labscan-hive-", ".tmp");
    try {
      Files.copy(hiveFile, copy, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
      try (FileChannel out = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        Entry last = applicable.get(applicable.size() - 1);
        for (Entry entry : applicable) {
          for (Page page : entry.pages()) {
            out.write(ByteBuffer.wrap(page.log(), page.from(), page.length()),
                BASE_BLOCK + Integer.toUnsignedLong(page.offset()));
          }
        }
        ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        out.write(header.putInt(0, last.sequence()).rewind(), 4);
        out.write(header.putInt(0, last.sequence()).rewind(), 8);
        out.write(header.putInt(0, last.binsSize()).rewind(), 40);
        out.truncate(BASE_BLOCK + Integer.toUnsignedLong(last.binsSize()));
      }
      return Optional.of(new Outcome(RegfHive.open(copy), applicable.size()));
    } finally {
      // Mapped already (or failed): the name can go; the mapping keeps the data until unmapped.
      Files.deleteIfExists(copy);
    }
  }

  /**
   * The entries to apply: sequence numbers from {@code secondary} on, consecutive from the lowest
   * one present (a partial reconcile may have written the earlier ones into the hive already).
   */
  static List<Entry> applicable(List<Entry> entries, int secondary) {
    List<Entry> sorted = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (Entry e : entries) {
      if (Integer.compareUnsigned(e.sequence(), secondary) >= 0 && seen.add(e.sequence())) {
        sorted.add(e);
      }
    }
    sorted.sort(Comparator.comparingLong(e -> Integer.toUnsignedLong(e.sequence())));
    List<Entry> out = new ArrayList<>();
    for (Entry e : sorted) {
      if (!out.isEmpty() && e.sequence() != out.get(out.size() - 1).sequence() + 1) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /** The valid entries of one new-format log, up to the first bad one. */
  static List<Entry> entries(Path log) throws IOException {
    List<Entry> out = new ArrayList<>();
    if (!Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS) || Files.size(log) > MAX_LOG_BYTES) {
      return out;
    }
    byte[] bytes = Files.readAllBytes(log);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 2 * SECTOR || b.getInt(0) != 0x66676572 || b.getInt(28) != 6) {
      return out; // not a log, or an old-format one (Windows 8 and earlier): not applied
    }
    for (int at = SECTOR; at + ENTRY_HEADER <= bytes.length; ) {
      Optional<Entry> entry = entry(bytes, b, at);
      if (entry.isEmpty()) {
        break;
      }
      out.add(entry.get());
      at += b.getInt(at + 4);
    }
    return out;
  }

  private static Optional<Entry> entry(byte[] bytes, ByteBuffer b, int at) {
    if (b.getInt(at) != 0x454c7648) { // "HvLE"
      return Optional.empty();
    }
    long size = Integer.toUnsignedLong(b.getInt(at + 4));
    long binsSize = Integer.toUnsignedLong(b.getInt(at + 16));
    long count = Integer.toUnsignedLong(b.getInt(at + 20));
    if (size < ENTRY_HEADER || size % SECTOR != 0 || at + size > bytes.length || binsSize == 0
        || binsSize % 4096 != 0 || binsSize > RegfHive.MAX_FILE_BYTES || ENTRY_HEADER + 8 * count > size) {
      return Optional.empty();
    }
    int length = (int) size;
    if (Marvin32.hash(bytes, at + ENTRY_HEADER, length - ENTRY_HEADER, Marvin32.HIVE_LOG_SEED) != b.getLong(at + 24)
        || Marvin32.hash(bytes, at, 32, Marvin32.HIVE_LOG_SEED) != b.getLong(at + 32)) {
      return Optional.empty();
    }
    List<Page> pages = new ArrayList<>();
    long data = at + ENTRY_HEADER + 8 * count;
    for (int i = 0; i < count; i++) {
      long offset = Integer.toUnsignedLong(b.getInt(at + ENTRY_HEADER + 8 * i));
      long pageSize = Integer.toUnsignedLong(b.getInt(at + ENTRY_HEADER + 8 * i + 4));
      if (offset + pageSize > binsSize || data + pageSize > at + size) {
        return Optional.empty();
      }
      pages.add(new Page((int) offset, bytes, (int) data, (int) pageSize));
      data += pageSize;
    }
    return Optional.of(new Entry(b.getInt(at + 12), (int) binsSize, pages));
  }
}
