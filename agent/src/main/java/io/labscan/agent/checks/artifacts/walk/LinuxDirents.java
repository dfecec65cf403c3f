package io.labscan.agent.checks.artifacts.walk;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code struct linux_dirent64} records that {@code getdents64(2)} writes:
 * {@code u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]} (NUL-terminated,
 * padded to 8 bytes), in the CPU's byte order (little-endian on the supported CPUs).
 * Every length is checked against the buffer, so a broken record (a file system driver's
 * bug) ends the listing with an error instead of reading past it.
 */
final class LinuxDirents {
  static final int DT_UNKNOWN = 0;
  static final int DT_FIFO = 1;
  static final int DT_CHR = 2;
  static final int DT_DIR = 4;
  static final int DT_BLK = 6;
  static final int DT_REG = 8;
  static final int DT_LNK = 10;
  static final int DT_SOCK = 12;
  static final int NAME_OFFSET = 19;

  private final byte[] buffer;
  private final int length;
  private int offset;
  private int nameOffset;
  private int nameLength;
  private int type;

  /** Records in {@code buffer[0, length)}. */
  LinuxDirents(byte[] buffer, int length) {
    if (length < 0 || length > buffer.length) {
      throw new IllegalArgumentException("length " + length + " outside the buffer");
    }
    this.buffer = buffer;
    this.length = length;
  }

  /**
   * Moves to the next entry, passing over {@code .} and {@code ..}.
   *
   * @return false at the end of the buffer
   * @throws IOException for a record that does not fit the buffer or has no name
   */
  boolean next() throws IOException {
    while (offset < length) {
      int start = offset;
      if (length - start < NAME_OFFSET + 1) {
        throw new IOException("truncated directory record at byte " + start);
      }
      int recordLength = (buffer[start + 16] & 0xff) | (buffer[start + 17] & 0xff) << 8;
      if (recordLength < NAME_OFFSET + 1 || recordLength > length - start) {
        throw new IOException("directory record at byte " + start + " has length " + recordLength);
      }
      int end = start + NAME_OFFSET;
      while (end < start + recordLength && buffer[end] != 0) {
        end++;
      }
      if (end == start + recordLength || end == start + NAME_OFFSET) {
        throw new IOException("directory record at byte " + start + " has no name");
      }
      offset = start + recordLength;
      nameOffset = start + NAME_OFFSET;
      nameLength = end - nameOffset;
      type = buffer[start + 18] & 0xff;
      if (!FileNames.isDotOrDotDot(buffer, nameOffset, nameLength)) {
        return true;
      }
    }
    return false;
  }

  /** Where the current name starts in the buffer (its NUL follows it). */
  int nameOffset() {
    return nameOffset;
  }

  int nameLength() {
    return nameLength;
  }

  /** The current entry's {@code d_type} ({@link #DT_UNKNOWN} when the file system does not say). */
  int type() {
    return type;
  }

  /** The walk's view of a {@code d_type}; empty for {@link #DT_UNKNOWN}. */
  static @Nullable EntryType typeOf(int dType) {
    return switch (dType) {
      case DT_REG -> EntryType.FILE;
      case DT_DIR -> EntryType.DIRECTORY;
      case DT_LNK -> EntryType.SYMLINK;
      case DT_UNKNOWN -> null;
      default -> EntryType.SPECIAL;
    };
  }
}
