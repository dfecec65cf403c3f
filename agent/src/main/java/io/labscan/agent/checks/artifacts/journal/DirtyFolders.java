package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The bookkeeping every journal shares: the changed folders with the position they last
 * changed at, the current position and epoch, and the rule that losing track (overflow, too
 * many changed folders, an unplaceable change) starts a new epoch, i.e. trusts nothing
 * recorded before. Not thread-safe: the journal holds its lock around every call.
 */
public final class DirtyFolders {
  /** Changed folders kept at most (about 10 MiB of handles); beyond it the journal restarts. */
  public static final int DEFAULT_CAP = 65_536;

  private final int cap;
  private final LongSupplier epochs;
  private final Map<FolderHandle, Long> dirty = new HashMap<>();
  /** Files (by inode number) that got or lost a name while keeping one: their folders cannot vouch for them. */
  private final Map<Long, Long> relinked = new HashMap<>();
  private long epoch;
  private long position = 1;
  /** {@code position}, boxed once per scan rather than once per event. */
  private Long boxedPosition = position;
  private long restarts;
  private String lastRestart = "";

  public DirtyFolders(int cap) {
    this(cap, new SecureRandom()::nextLong);
  }

  /** @param epochs where new epochs come from (random in the product, so a restart never reuses one) */
  DirtyFolders(int cap, LongSupplier epochs) {
    if (cap < 1) {
      throw new IllegalArgumentException("cap must be positive");
    }
    this.cap = cap;
    this.epochs = requireNonNull(epochs, "epochs");
    this.epoch = nextEpoch();
  }

  /** A folder changed now. Over the cap, the journal restarts (the next scan is a full one). */
  public void changed(FolderHandle folder) {
    requireNonNull(folder, "folder");
    dirty.put(folder, boxedPosition);
    if (dirty.size() + relinked.size() > cap) {
      restart("more than " + cap + " changed folders between scans");
    }
  }

  /**
   * A file's link count changed while it kept a name (a hard link made or removed): a write
   * through its other name would name only the other folder, so every folder recorded with
   * this file is listed again. By inode number alone: a file with that number on another
   * device is taken for it too, which only lists one folder more.
   */
  public void relinked(long inode) {
    relinked.put(inode, boxedPosition);
    if (dirty.size() + relinked.size() > cap) {
      restart("more than " + cap + " changed folders and relinked files between scans");
    }
  }

  /** Changes may have been lost: forget everything, start a new epoch. */
  public void restart(String reason) {
    requireNonNull(reason, "reason");
    dirty.clear();
    relinked.clear();
    epoch = nextEpoch();
    restarts++;
    lastRestart = reason;
  }

  /** The snapshot a starting scan sees; later changes are recorded after its position. */
  public JournalSnapshot checkpoint(Map<Long, Long> filesystems) {
    JournalSnapshot snapshot = new JournalSnapshot(epoch, position, true, "", filesystems, dirty, relinked);
    position++;
    boxedPosition = position;
    return snapshot;
  }

  /** Drops what a completed scan covered (nothing when the journal restarted since it began). */
  public void completed(JournalSnapshot scanStart) {
    requireNonNull(scanStart, "scanStart");
    if (scanStart.continuous() && scanStart.epoch() == epoch) {
      long covered = scanStart.position();
      dirty.values().removeIf(p -> p <= covered);
      // Relinked files stay for the whole epoch: a descriptor opened through another name (or an
      // O_TMPFILE later linked in) keeps writing events that name that other folder, never the
      // one holding the file, so those folders are listed at every scan until the epoch ends.

    }
  }

  public int size() {
    return dirty.size();
  }

  public long restarts() {
    return restarts;
  }

  /** Why the journal last restarted (empty if it never did). */
  public String lastRestart() {
    return lastRestart;
  }

  private long nextEpoch() {
    long next;
    do {
      next = epochs.getAsLong();
    } while (next == 0 || next == epoch); // 0 is what "no journal" snapshots carry
    return next;
  }
}
