package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the daemon, which owns the journal, hands a snapshot to the short-lived scan worker,
 * and how the worker says back that its artifact walk completed under it. Two small binary
 * files in the worker exchange folder: the snapshot ({@link #encode}) and the completion
 * ({@link #encodeCompleted}: epoch and position of the snapshot the walk completed under).
 *
 * <p>The worker reads what the daemon wrote and vice versa, but each treats the file as
 * damaged-until-checked: sizes and counts are bounded, and anything odd means "no journal"
 * (a full scan) or "not completed" (the daemon keeps its changes).
 */
public final class JournalHandoff {
  /** Largest snapshot file accepted: the dirty cap's worth of the largest handles, and then some. */
  public static final long MAX_SNAPSHOT_BYTES = 16L << 20;
  public static final int COMPLETED_BYTES = 4 + 8 + 8;
  private static final int MAGIC = 0x4C534A31; // "LSJ1"
  private static final int DONE_MAGIC = 0x4C534A44; // "LSJD"
  private static final int MAX_FILESYSTEMS = 4_096;
  private static final int MAX_DIRTY = 1 << 20;

  private JournalHandoff() {}

  public static byte[] encode(JournalSnapshot snapshot) {
    requireNonNull(snapshot, "snapshot");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + snapshot.dirty().size() * 40);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeLong(snapshot.epoch());
      out.writeLong(snapshot.position());
      out.writeBoolean(snapshot.continuous());
      byte[] reason = snapshot.reason().getBytes(StandardCharsets.UTF_8);
      out.writeShort(Math.min(reason.length, 1024));
      out.write(reason, 0, Math.min(reason.length, 1024));
      out.writeInt(snapshot.filesystems().size());
      for (Map.Entry<Long, Long> fs : snapshot.filesystems().entrySet()) {
        out.writeLong(fs.getKey());
        out.writeLong(fs.getValue());
      }
      out.writeInt(snapshot.dirty().size());
      for (Map.Entry<FolderHandle, Long> e : snapshot.dirty().entrySet()) {
        byte[] handle = e.getKey().toBytes();
        out.writeByte(handle.length);
        out.write(handle);
        out.writeLong(e.getValue());
      }
      out.writeInt(snapshot.relinked().size());
      for (Map.Entry<Long, Long> e : snapshot.relinked().entrySet()) {
        out.writeLong(e.getKey());
        out.writeLong(e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array stream does not fail
    }
    return bytes.toByteArray();
  }

  /** The snapshot in {@code bytes}, or empty when they are not a well-formed one. */
  public static Optional<JournalSnapshot> decode(byte[] bytes) {
    requireNonNull(bytes, "bytes");
    if (bytes.length > MAX_SNAPSHOT_BYTES) {
      return Optional.empty();
    }
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      if (in.readInt() != MAGIC) {
        return Optional.empty();
      }
      long epoch = in.readLong();
      long position = in.readLong();
      boolean continuous = in.readBoolean();
      byte[] reason = new byte[in.readUnsignedShort()];
      if (reason.length > 1024) {
        return Optional.empty();
      }
      in.readFully(reason);
      int filesystemCount = in.readInt();
      if (filesystemCount < 0 || filesystemCount > MAX_FILESYSTEMS) {
        return Optional.empty();
      }
      Map<Long, Long> filesystems = new HashMap<>();
      for (int i = 0; i < filesystemCount; i++) {
        filesystems.put(in.readLong(), in.readLong());
      }
      int dirtyCount = in.readInt();
      if (dirtyCount < 0 || dirtyCount > MAX_DIRTY || dirtyCount > bytes.length / 8) {
        return Optional.empty();
      }
      Map<FolderHandle, Long> dirty = new HashMap<>();
      for (int i = 0; i < dirtyCount; i++) {
        byte[] handle = new byte[in.readUnsignedByte()];
        in.readFully(handle);
        dirty.put(FolderHandle.of(handle), in.readLong());
      }
      int relinkedCount = in.readInt();
      if (relinkedCount < 0 || relinkedCount > MAX_DIRTY || relinkedCount > bytes.length / 16) {
        return Optional.empty();
      }
      Map<Long, Long> relinked = new HashMap<>();
      for (int i = 0; i < relinkedCount; i++) {
        relinked.put(in.readLong(), in.readLong());
      }
      if (in.read() != -1) {
        return Optional.empty();
      }
      return Optional.of(new JournalSnapshot(epoch, position, continuous,
          new String(reason, StandardCharsets.UTF_8), filesystems, dirty, relinked));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** What the worker writes when its walk completed under {@code snapshot}. */
  public static byte[] encodeCompleted(JournalSnapshot snapshot) {
    requireNonNull(snapshot, "snapshot");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(COMPLETED_BYTES);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(DONE_MAGIC);
      out.writeLong(snapshot.epoch());
      out.writeLong(snapshot.position());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Whether {@code bytes} say a walk completed under exactly {@code snapshot}. */
  public static boolean completes(byte[] bytes, JournalSnapshot snapshot) {
    requireNonNull(bytes, "bytes");
    requireNonNull(snapshot, "snapshot");
    return snapshot.continuous() && java.util.Arrays.equals(bytes, encodeCompleted(snapshot));
  }
}
