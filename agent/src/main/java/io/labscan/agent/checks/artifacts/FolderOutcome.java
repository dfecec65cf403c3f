package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.ArtifactFinding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What listing one folder contributed to a scan, enough to reproduce it without touching
 * the folder: its files' counts, the reasons entries were passed over, the integrity files
 * it held, the findings it produced, its subfolders (names as the listing's bytes, so the
 * walk can still descend) and the inode numbers of the files whose size, time or content the
 * scan used (a change journal names a file given another name by its inode). Stored with the folder's record in the digest cache.
 *
 * <p>Decoding treats the bytes as hostile (the state folder could be damaged): every count
 * and length is bounded, and anything odd gives empty, i.e. the folder is listed again.
 */
record FolderOutcome(long files, long cacheHits, Map<String, Long> skipped, List<String> integrityNames,
    List<ArtifactFinding> findings, List<byte[]> subfolders, long[] inodes) {
  /** A folder with more findings than this is not recorded (a hostile tree stays bounded). */
  static final int MAX_FINDINGS = 1_000;
  /** A folder with more looked-at files than this is not recorded (bounded record size). */
  static final int MAX_INODES = 100_000;
  private static final int VERSION = 2;
  private static final int MAX_ITEMS = 1 << 20;
  private static final int MAX_ITEM_BYTES = 1 << 20;

  FolderOutcome {
    skipped = Map.copyOf(skipped);
    integrityNames = List.copyOf(integrityNames);
    findings = List.copyOf(findings);
    subfolders = List.copyOf(subfolders);
    inodes = inodes.clone();
  }

  byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 16 * subfolders.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeLong(files);
      out.writeLong(cacheHits);
      out.writeInt(skipped.size());
      for (Map.Entry<String, Long> e : new TreeMap<>(skipped).entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue());
      }
      out.writeInt(integrityNames.size());
      for (String name : integrityNames) {
        writeBytes(out, name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      out.writeInt(findings.size());
      for (ArtifactFinding f : findings) {
        writeBytes(out, f.toByteArray());
      }
      out.writeInt(subfolders.size());
      for (byte[] name : subfolders) {
        writeBytes(out, name);
      }
      // Last, with its length first: a rescan skips it unless the journal names relinked files.
      out.writeInt(4 + 8 * inodes.length);
      out.writeInt(inodes.length);
      for (long inode : inodes) {
        out.writeLong(inode);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array stream does not fail
    }
    return bytes.toByteArray();
  }

  /** The outcome in {@code bytes}, or empty when they are not one this version wrote. */
  static Optional<FolderOutcome> decode(byte[] bytes) {
    return decode(bytes, true);
  }

  /**
   * As {@link #decode(byte[])}; without {@code withInodes} the inode numbers are skipped, not
   * read (a rescan needs them only when the journal names relinked files), and left empty.
   */
  static Optional<FolderOutcome> decode(byte[] bytes, boolean withInodes) {
    requireNonNull(bytes, "bytes");
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readUnsignedByte() != VERSION) {
        return Optional.empty();
      }
      long files = in.readLong();
      long cacheHits = in.readLong();
      if (files < 0 || cacheHits < 0 || cacheHits > files) {
        return Optional.empty();
      }
      Map<String, Long> skipped = new TreeMap<>();
      for (int i = count(in, bytes.length); i > 0; i--) {
        String reason = in.readUTF();
        long n = in.readLong();
        if (n < 0) {
          return Optional.empty();
        }
        skipped.merge(reason, n, Long::sum);
      }
      List<String> integrity = new ArrayList<>();
      for (int i = count(in, bytes.length); i > 0; i--) {
        integrity.add(new String(readBytes(in, bytes.length), java.nio.charset.StandardCharsets.UTF_8));
      }
      List<ArtifactFinding> findings = new ArrayList<>();
      for (int i = count(in, bytes.length); i > 0; i--) {
        findings.add(ArtifactFinding.parseFrom(readBytes(in, bytes.length)));
      }
      List<byte[]> subfolders = new ArrayList<>();
      for (int i = count(in, bytes.length); i > 0; i--) {
        subfolders.add(readBytes(in, bytes.length));
      }
      int idBytes = in.readInt();
      if (idBytes < 4 || idBytes > bytes.length) {
        return Optional.empty();
      }
      long[] inodes = new long[0];
      if (withInodes) {
        int n = in.readInt();
        if (n < 0 || 4 + 8L * n != idBytes) {
          return Optional.empty();
        }
        inodes = new long[n];
        for (int i = 0; i < n; i++) {
          inodes[i] = in.readLong();
        }
      } else if (in.skipBytes(idBytes) != idBytes) {
        return Optional.empty();
      }
      if (in.read() != -1) {
        return Optional.empty(); // trailing bytes: not ours
      }
      return Optional.of(new FolderOutcome(files, cacheHits, skipped, integrity, findings, subfolders, inodes));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  /** A count that the remaining bytes could hold (each item takes at least 4 bytes). */
  private static int count(DataInputStream in, int total) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_ITEMS || n > total / 4) {
      throw new IOException("count " + n);
    }
    return n;
  }

  private static byte[] readBytes(DataInputStream in, int total) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MAX_ITEM_BYTES || n > total) {
      throw new IOException("length " + n);
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }
}
