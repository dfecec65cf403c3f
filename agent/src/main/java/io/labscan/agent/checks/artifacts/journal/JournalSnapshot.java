package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * What a change journal knew when a scan started: which folders changed, and since when it
 * has been watching without a gap.
 *
 * <p>Positions: every change is recorded at the journal's current position; taking a
 * snapshot first reads every change already queued, returns the current position {@code P}
 * and moves the journal on, so changes made before the snapshot are recorded at {@code <= P}
 * and later ones at {@code > P}.
 *
 * @param epoch the journal's continuous span: a new random epoch starts whenever changes may
 *     have been lost (queue overflow, dirty set over its cap, a link count change it cannot
 *     place, journal restart), so an epoch match means "watching without a gap since then"
 * @param position where the journal stood when the snapshot was taken
 * @param continuous false when the journal is not watching at all (failed, or none): then
 *     nothing is trusted and the scan takes the full path
 * @param reason why not continuous (empty when it is)
 * @param filesystems the file systems being watched, by id ({@code f_fsid}) with the device
 *     watched under that id; folders elsewhere are never trusted
 * @param dirty each changed folder with the last position it changed at
 * @param relinked each file (by inode number) whose link count changed while it kept a name,
 *     with the last position that happened at
 */
public record JournalSnapshot(long epoch, long position, boolean continuous, String reason,
    Map<Long, Long> filesystems, Map<FolderHandle, Long> dirty, Map<Long, Long> relinked) {
  public JournalSnapshot {
    requireNonNull(reason, "reason");
    filesystems = Map.copyOf(filesystems);
    dirty = Map.copyOf(dirty);
    relinked = Map.copyOf(relinked);
  }

  /** A snapshot that trusts nothing. */
  public static JournalSnapshot none(String reason) {
    return new JournalSnapshot(0, 0, false, reason, Map.of(), Map.of(), Map.of());
  }

  /**
   * Whether any of these files got or lost another name in this epoch, before or after the
   * folder was recorded: the folder then cannot be vouched for (a write through the other name,
   * or through a descriptor opened by it, names another folder).
   */
  public boolean anyRelinkedInEpoch(long[] inodes) {
    if (relinked.isEmpty()) {
      return false;
    }
    for (long inode : inodes) {
      // Any relink in this epoch, before the record too: a descriptor opened through another name
      // goes on writing under that name's folder, so the record cannot vouch for the file.
      if (relinked.containsKey(inode)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the journal watches the file system with this id on this device. Two mounted
   * file systems can report the same id (a block-level clone of a watched disk has the same
   * UUID); only the device tells them apart, and only the watched one's changes are seen.
   */
  public boolean watches(long filesystem, long device) {
    Long watched = filesystems.get(filesystem);
    return continuous && watched != null && watched == device;
  }

  /**
   * Whether a folder's outcome recorded by a complete scan that started at
   * ({@code recordedEpoch}, {@code recordedPosition}) still holds: the journal has watched
   * the folder's file system without a gap since before that scan started, and the folder
   * has not changed since (a change recorded at or before the position happened before that
   * scan and was seen by it).
   */
  public boolean unchangedSince(FolderHandle folder, long recordedEpoch, long recordedPosition) {
    requireNonNull(folder, "folder");
    if (!continuous || recordedEpoch != epoch || recordedPosition > position
        || !filesystems.containsKey(folder.filesystem())) {
      return false;
    }
    Long changed = dirty.get(folder);
    return changed == null || changed <= recordedPosition;
  }
}
