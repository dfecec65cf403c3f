package io.labscan.agent.checks.artifacts.journal;

import org.jspecify.annotations.Nullable;

/**
 * Parses what {@code read(2)} returns from a fanotify group initialised with
 * {@code FAN_REPORT_DFID_NAME | FAN_REPORT_FID}: a run of {@code struct fanotify_event_metadata}
 * (24 bytes: event_len u32, vers u8, reserved u8, metadata_len u16, mask u64, fd s32, pid s32),
 * each followed by info records ({@code struct fanotify_event_info_header}: info_type u8,
 * pad u8, len u16), of which the file-id ones hold the fsid (8 bytes) and a
 * {@code struct file_handle} (handle_bytes u32, handle_type s32, the bytes), then for
 * {@code DFID_NAME} the entry's name.
 *
 * <p>The bytes come from the kernel, but are still checked: a record that does not fit is
 * reported as malformed (the journal then restarts) instead of being read past its end.
 * Native byte order (little-endian on the supported CPUs).
 */
final class FanotifyEvents {
  static final int METADATA_VERSION = 3;
  static final int METADATA_LEN = 24;
  static final long FAN_MODIFY = 0x2;
  static final long FAN_ATTRIB = 0x4;
  static final long FAN_CLOSE_WRITE = 0x8;
  static final long FAN_MOVED_FROM = 0x40;
  static final long FAN_MOVED_TO = 0x80;
  static final long FAN_CREATE = 0x100;
  static final long FAN_DELETE = 0x200;
  static final long FAN_DELETE_SELF = 0x400;
  static final long FAN_MOVE_SELF = 0x800;
  static final long FAN_Q_OVERFLOW = 0x4000;
  static final long FAN_ONDIR = 0x4000_0000L;
  /** What the journal asks for: every change of a name, content or attribute, for folders too. */
  static final long WATCHED = FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_ATTRIB | FAN_MODIFY
      | FAN_CLOSE_WRITE | FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ONDIR;

  static final int INFO_FID = 1;
  static final int INFO_DFID_NAME = 2;
  static final int INFO_DFID = 3;
  static final int INFO_OLD_DFID_NAME = 10;
  static final int INFO_NEW_DFID_NAME = 12;

  /** What the events say. */
  interface Sink {
    /** Something in this folder (or the folder itself) changed. */
    void folderChanged(FolderHandle folder);

    /**
     * A file (not a folder) changed and the event names no folder: the kernel sends these
     * when a link count changes ({@code link}, {@code unlink}) and for a file's own
     * deletion or move.
     */
    void fileOnly(FolderHandle file, long mask);

    /** The kernel's queue overflowed: events were lost. */
    void overflow();

    /** The buffer holds something that is not a well-formed event. */
    void malformed(String why);

    /** An event came with an open descriptor (not expected with file ids): it must be closed. */
    default void descriptor(int fd) {}
  }

  private FanotifyEvents() {}

  /** Parses {@code length} bytes of {@code buffer}; stops at the first malformed event. */
  static void parse(byte[] buffer, int length, Sink sink) {
    int at = 0;
    while (at < length) {
      int remaining = length - at;
      if (remaining < METADATA_LEN) {
        sink.malformed("event header cut short (" + remaining + " bytes)");
        return;
      }
      long eventLen = u32(buffer, at);
      int version = buffer[at + 4] & 0xff;
      int metadataLen = u16(buffer, at + 6);
      long mask = i64(buffer, at + 8);
      int fd = i32(buffer, at + 16);
      if (version != METADATA_VERSION) {
        sink.malformed("event metadata version " + version + ", expected " + METADATA_VERSION);
        return;
      }
      if (metadataLen < METADATA_LEN || eventLen < metadataLen || eventLen > remaining) {
        sink.malformed("event of " + eventLen + " bytes (metadata " + metadataLen + ") in " + remaining);
        return;
      }
      if (fd >= 0) {
        sink.descriptor(fd);
      }
      if ((mask & FAN_Q_OVERFLOW) != 0) {
        sink.overflow();
      } else if (!records(buffer, at + metadataLen, at + (int) eventLen, mask, sink)) {
        return;
      }
      at += (int) eventLen;
    }
  }

  /** The info records of one event; false when malformed (already reported). */
  private static boolean records(byte[] b, int from, int end, long mask, Sink sink) {
    FolderHandle object = null;
    boolean namedFolder = false;
    int at = from;
    while (at < end) {
      if (end - at < 4) {
        sink.malformed("info record header cut short");
        return false;
      }
      int type = b[at] & 0xff;
      int len = u16(b, at + 2);
      if (len < 4 || len > end - at) {
        sink.malformed("info record of " + len + " bytes in " + (end - at));
        return false;
      }
      switch (type) {
        case INFO_DFID_NAME, INFO_DFID, INFO_OLD_DFID_NAME, INFO_NEW_DFID_NAME, INFO_FID -> {
          FolderHandle handle = handle(b, at, len);
          if (handle == null) {
            sink.malformed("file id record of " + len + " bytes does not hold its handle");
            return false;
          }
          if (type == INFO_FID) {
            object = handle;
          } else {
            namedFolder = true;
            sink.folderChanged(handle);
          }
        }
        default -> {
          // pidfd, error, range, mount records: nothing about which folder changed
        }
      }
      at += len;
    }
    if (object != null) {
      if ((mask & FAN_ONDIR) != 0) {
        sink.folderChanged(object); // a folder's own event reported by its own id
      } else if (!namedFolder) {
        sink.fileOnly(object, mask);
      }
    } else if (!namedFolder) {
      sink.malformed("event 0x" + Long.toHexString(mask) + " names no file or folder");
      return false;
    }
    return true;
  }

  /** fsid (8) | handle_type (4) | handle, from a file id record at {@code at}; null if it does not fit. */
  private static @Nullable FolderHandle handle(byte[] b, int at, int len) {
    if (len < 20) {
      return null;
    }
    long handleBytes = u32(b, at + 12);
    if (handleBytes < 1 || handleBytes > FolderHandle.MAX_HANDLE_BYTES || 20 + handleBytes > len) {
      return null;
    }
    byte[] id = new byte[FolderHandle.PREFIX + (int) handleBytes];
    System.arraycopy(b, at + 4, id, 0, 8); // fsid
    System.arraycopy(b, at + 16, id, 8, 4); // handle_type
    System.arraycopy(b, at + 20, id, FolderHandle.PREFIX, (int) handleBytes);
    return FolderHandle.wrap(id);
  }

  static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  static int i32(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
  }

  static long u32(byte[] b, int at) {
    return i32(b, at) & 0xffffffffL;
  }

  static long i64(byte[] b, int at) {
    return u32(b, at) | u32(b, at + 4) << 32;
  }
}
