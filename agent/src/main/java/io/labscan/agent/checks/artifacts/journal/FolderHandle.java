package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * The identity of a folder as the kernel names it, independent of its path: the file
 * system's id ({@code f_fsid} of {@code statfs}, 8 bytes as stored), the handle type (4
 * bytes, native order) and the opaque handle bytes ({@code name_to_handle_at}). A change
 * journal reports changed folders by this identity and the walk computes it for each folder
 * it opens, so the two are compared byte for byte, never by path (a renamed folder keeps its
 * handle; a different folder moved into its place has another).
 */
public final class FolderHandle {
  /** Bytes before the handle itself: fsid (8) and handle type (4). */
  static final int PREFIX = 12;
  /** {@code MAX_HANDLE_SZ} of the kernel. */
  public static final int MAX_HANDLE_BYTES = 128;

  private final byte[] bytes;
  private final int hash;

  private FolderHandle(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * Wraps identity bytes laid out as fsid (8) | handle type (4) | handle; refuses anything
   * shorter than the prefix or longer than the largest handle the kernel makes.
   */
  public static FolderHandle of(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    if (bytes.length <= PREFIX || bytes.length > PREFIX + MAX_HANDLE_BYTES) {
      throw new IllegalArgumentException("a folder handle holds " + (PREFIX + 1) + " to "
          + (PREFIX + MAX_HANDLE_BYTES) + " bytes, not " + bytes.length);
    }
    return new FolderHandle(bytes.clone());
  }

  /** As {@link #of} for bytes this package just copied out of a native buffer (not cloned again). */
  static FolderHandle wrap(byte[] bytes) {
    return new FolderHandle(bytes);
  }

  /** The file system id (the first 8 bytes, as one number). */
  public long filesystem() {
    return fsidOf(bytes);
  }

  static long fsidOf(byte[] bytes) {
    long v = 0;
    for (int i = 7; i >= 0; i--) {
      v = v << 8 | (bytes[i] & 0xff);
    }
    return v;
  }

  /** A copy of the identity bytes (to store them). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FolderHandle other && hash == other.hash && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "FolderHandle[" + HexFormat.of().formatHex(bytes) + "]";
  }
}
