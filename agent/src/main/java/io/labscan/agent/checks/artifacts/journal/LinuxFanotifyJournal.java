package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Linux change journal: one fanotify group reporting directory file handles
 * ({@code FAN_REPORT_DFID_NAME | FAN_REPORT_FID}), with a {@code FAN_MARK_FILESYSTEM} mark on
 * each distinct file system under the scan roots (and mounted below them). A reader thread
 * sleeps in {@code poll}; when events come it reads them in 64 KiB batches and records the
 * folders they name, and the inode of a file whose link count changed while it kept a name
 * (a hard link: later writes through the other name would name only the other folder).
 *
 * <p>Losing track starts a new epoch (see {@link DirtyFolders}): queue overflow, a malformed
 * event, more changed folders than the cap, or a link count change it cannot look into. A
 * read error stops the journal for good: snapshots then say "not continuous".
 *
 * <p>Needs {@code CAP_SYS_ADMIN} (the agent service runs as root); {@link ChangeJournals}
 * falls back to {@link NoChangeJournal} otherwise.
 */
public final class LinuxFanotifyJournal implements ChangeJournal {
  private static final Logger log = LoggerFactory.getLogger(LinuxFanotifyJournal.class);
  static final int BATCH_BYTES = 64 * 1024;
  /** Events that make or remove a name: they always name a folder, unless the kernel could not. */
  static final long ENTRY_EVENTS = FanotifyEvents.FAN_CREATE | FanotifyEvents.FAN_DELETE
      | FanotifyEvents.FAN_MOVED_FROM | FanotifyEvents.FAN_MOVED_TO;
  private static final int ENOENT = 2;
  private static final int ESTALE = 116;
  /**
   * How long the reader lets events gather after a wake-up that found few: a writer makes
   * several events per file, and reading them one wake-up at a time cost ~25 µs of CPU per
   * file; gathered, the kernel also merges repeated events on one object. After a read that
   * found many (the queue is busy) it reads again at once, so a burst does not fill the
   * kernel's 16,384-event queue while the reader sleeps (a 200 ms gather did, at 10,000 files
   * created in under a second). A scan's checkpoint reads whatever is queued itself, so the
   * delay never hides a change from a scan.
   */
  static final long GATHER_MILLIS = 50;
  /** A drain that read at least this much found a busy queue: no gathering pause after it. */
  static final long BUSY_BYTES = BATCH_BYTES / 2;

  private final int fanotify;
  private final int[] wake = new int[2];
  /** A watched path on each file system (opened only to resolve a file handle: never held open, so never blocks umount). */
  private final Map<Long, String> mountPaths;
  /**
   * The mount each watched file system was marked on (-1 when the kernel does not say). Unmounting
   * removes a file system mark without any event, and the same disk mounted again has the same
   * id and device, so each checkpoint checks that the mount is still the one that was marked.
   */
  private final Map<Long, Long> mountIds;
  private final int oDirectory;
  private final Map<Long, Long> filesystems;
  private final Object lock = new Object();
  private final DirtyFolders dirty;
  private final Memory batch = new Memory(BATCH_BYTES);
  private final byte[] copy = new byte[BATCH_BYTES];
  private final Memory handle = new Memory(8 + FolderHandle.MAX_HANDLE_BYTES);
  private final Memory stat = new Memory(LinuxFanotify.STATX_SIZE_BYTES);
  private final Memory statfs = new Memory(LinuxFanotify.STATFS_SIZE_BYTES);
  private final Sink sink = new Sink();
  private final Thread reader;
  /** The gathering pause; longer while the agent is over its CPU budget ({@link #pace}). */
  private volatile long gatherMillis = GATHER_MILLIS;
  private String failure = "";
  private boolean closed;

  /** Thrown when this machine or process cannot run the journal. */
  public static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  private LinuxFanotifyJournal(int fanotify, Map<Long, String> mountPaths, Map<Long, Long> devices,
      Map<Long, Long> mountIds, int oDirectory, int cap) {
    this.fanotify = fanotify;
    this.mountPaths = Map.copyOf(mountPaths);
    this.mountIds = Map.copyOf(mountIds);
    this.oDirectory = oDirectory;
    this.filesystems = Map.copyOf(devices);
    this.dirty = new DirtyFolders(cap);
    if (LinuxFanotify.pipe2(wake, LinuxFanotify.O_CLOEXEC | LinuxFanotify.O_NONBLOCK) != 0) {
      wake[0] = -1;
      wake[1] = -1;
    }
    // A small stack: the thread only polls, reads and parses.
    this.reader = new Thread(null, this::readLoop, "labscan-change-journal", 256 * 1024);
    reader.setDaemon(true);
  }

  /**
   * Starts watching the file systems of {@code roots}.
   *
   * @param cap changed folders kept before the journal restarts
   * @throws Unavailable when fanotify is missing or not allowed, or no file system can be marked
   */
  public static LinuxFanotifyJournal start(List<Path> roots, int cap) throws Unavailable {
    requireNonNull(roots, "roots");
    int oDirectory;
    int fd;
    try {
      oDirectory = LinuxFanotify.oDirectory();
      if (oDirectory < 0) {
        throw new Unavailable("no open(2) flags known for this CPU");
      }
      fd = LinuxFanotify.fanotify_init(LinuxFanotify.FAN_CLASS_NOTIF | LinuxFanotify.FAN_REPORT_DFID_NAME
          | LinuxFanotify.FAN_REPORT_FID | LinuxFanotify.FAN_CLOEXEC | LinuxFanotify.FAN_NONBLOCK,
          LinuxFanotify.O_RDONLY | LinuxFanotify.O_CLOEXEC);
    } catch (LinkageError e) {
      throw new Unavailable("fanotify calls not found (" + e.getMessage() + ")");
    }
    if (fd < 0) {
      int errno = Native.getLastError();
      throw new Unavailable(switch (errno) {
        case LinuxFanotify.EPERM -> "fanotify needs CAP_SYS_ADMIN (the agent is not running as root)";
        case LinuxFanotify.ENOSYS -> "this kernel has no fanotify";
        case LinuxFanotify.EINVAL -> "this kernel's fanotify cannot report file handles (Linux 5.9 or later needed)";
        default -> "fanotify_init failed, errno " + errno;
      });
    }
    Map<Long, String> marked = new HashMap<>();
    Map<Long, Long> devices = new HashMap<>();
    Map<Long, Long> mounts = new HashMap<>();
    // The roots' own file systems, then every other one mounted under them (the walk goes there too).
    List<Path> paths = new java.util.ArrayList<>(roots);
    paths.addAll(MountPoints.under(roots));
    try (Memory statfs = new Memory(LinuxFanotify.STATFS_SIZE_BYTES);
        Memory statx = new Memory(LinuxFanotify.STATX_SIZE_BYTES)) {
      for (Path root : paths) {
        boolean scanRoot = roots.contains(root);
        String path = root.toAbsolutePath().toString();
        int rootFd = LinuxFanotify.open(path, LinuxFanotify.O_RDONLY | oDirectory | LinuxFanotify.O_CLOEXEC);
        if (rootFd < 0) {
          log.debug("Change journal: cannot open {} (errno {}); its folders are always listed.", path,
              Native.getLastError());
          continue;
        }
        long fsid = LinuxFanotify.fstatfs(rootFd, statfs) == 0 ? statfs.getLong(LinuxFanotify.STATFS_FSID_OFFSET) : 0;
        long device = LinuxFanotify.statx(rootFd, "", LinuxFanotify.AT_EMPTY_PATH, LinuxFanotify.STATX_TYPE, statx) == 0
            ? (statx.getInt(136) & 0xffffffffL) << 32 | (statx.getInt(140) & 0xffffffffL) : -1;
        if (fsid == 0 || device == -1 || marked.containsKey(fsid)) {
          if (fsid == 0 || device == -1) {
            if (scanRoot) {
              log.warn("Change journal: the file system of {} has no id; its folders are always listed.", path);
            }
          } else if (!Long.valueOf(device).equals(devices.get(fsid))) {
            // Another file system with a watched one's id: only the first is watched (by device).
            log.warn("Change journal: {} has the id of another watched file system; its folders are always listed.",
                path);
          }
          LinuxFanotify.close(rootFd);
          continue;
        }
        if (LinuxFanotify.fanotify_mark(fd, LinuxFanotify.FAN_MARK_ADD | LinuxFanotify.FAN_MARK_FILESYSTEM,
            FanotifyEvents.WATCHED, rootFd, null) != 0) { // the folder just checked, not its path again
          // e.g. a network or FUSE file system without file handles (EOPNOTSUPP, ENODEV, EXDEV)
          if (scanRoot) {
            log.warn("Change journal: cannot watch the file system of {} (errno {}); its folders are always listed.",
                path, Native.getLastError());
          } else {
            log.debug("Change journal: cannot watch the file system mounted at {} (errno {}).", path,
                Native.getLastError());
          }
          LinuxFanotify.close(rootFd);
          continue;
        }
        long mountId = mountId(rootFd, statx);
        LinuxFanotify.close(rootFd); // held open, it would keep the file system from being unmounted
        marked.put(fsid, path);
        devices.put(fsid, device);
        mounts.put(fsid, mountId);
      }
    }
    if (marked.isEmpty()) {
      LinuxFanotify.close(fd);
      throw new Unavailable("no scanned file system can be watched");
    }
    LinuxFanotifyJournal journal = new LinuxFanotifyJournal(fd, marked, devices, mounts, oDirectory, cap);
    journal.reader.start();
    return journal;
  }

  @Override
  public String name() {
    return "fanotify";
  }

  @Override
  public JournalSnapshot checkpoint() {
    synchronized (lock) {
      if (!closed && failure.isEmpty()) {
        drain(); // every change made before this call is now recorded
      }
      if (!closed && failure.isEmpty()) {
        mountChanged().ifPresent(this::fail);
      }
      if (closed || !failure.isEmpty()) {
        return JournalSnapshot.none(closed ? "change journal closed" : failure);
      }
      return dirty.checkpoint(filesystems);
    }
  }

  /** Why a watched file system is no longer the mount that was marked, if it is not. */
  private Optional<String> mountChanged() {
    for (Map.Entry<Long, String> watched : mountPaths.entrySet()) {
      String path = watched.getValue();
      int fd = LinuxFanotify.open(path, LinuxFanotify.O_RDONLY | oDirectory | LinuxFanotify.O_CLOEXEC);
      if (fd < 0) {
        return Optional.of("the watched folder " + path + " cannot be opened any more (unmounted?)");
      }
      try {
        if (LinuxFanotify.fstatfs(fd, statfs) != 0
            || statfs.getLong(LinuxFanotify.STATFS_FSID_OFFSET) != watched.getKey()) {
          return Optional.of("another file system is mounted at the watched folder " + path);
        }
        long marked = mountIds.getOrDefault(watched.getKey(), -1L);
        if (marked != -1 && mountId(fd, stat) != marked) {
          return Optional.of("the file system at " + path
              + " was unmounted and mounted again (its watch ended with the unmount)");
        }
      } finally {
        LinuxFanotify.close(fd);
      }
    }
    return Optional.empty();
  }

  /** The mount id of an open folder, or -1 when the kernel does not report it. */
  private static long mountId(int fd, Memory statx) {
    if (LinuxFanotify.statx(fd, "", LinuxFanotify.AT_EMPTY_PATH, LinuxFanotify.STATX_MNT_ID, statx) != 0
        || (statx.getInt(LinuxFanotify.STATX_MASK_OFFSET) & LinuxFanotify.STATX_MNT_ID) == 0) {
      return -1;
    }
    return statx.getLong(LinuxFanotify.STATX_MNT_ID_OFFSET);
  }

  @Override
  public void completed(JournalSnapshot scanStart) {
    synchronized (lock) {
      dirty.completed(scanStart);
    }
  }

  /** Changed folders held now (for tests and the footprint log). */
  public int dirtyCount() {
    synchronized (lock) {
      return dirty.size();
    }
  }

  /** How often the journal lost track and started a new epoch. */
  public long restarts() {
    synchronized (lock) {
      return dirty.restarts();
    }
  }

  private void readLoop() {
    try (Memory fds = new Memory(16)) {
      fds.setInt(0, fanotify);
      fds.setShort(4, LinuxFanotify.POLLIN);
      fds.setInt(8, wake[0]);
      fds.setShort(12, LinuxFanotify.POLLIN);
      while (true) {
        fds.setShort(6, (short) 0);
        fds.setShort(14, (short) 0);
        int n = LinuxFanotify.poll(fds, wake[0] >= 0 ? 2 : 1, wake[0] >= 0 ? -1 : 1000);
        if (n < 0 && Native.getLastError() != LinuxFanotify.EINTR) {
          fail("poll failed, errno " + Native.getLastError());
          return;
        }
        long drained;
        synchronized (lock) {
          if (closed || !failure.isEmpty()) {
            return;
          }
          drained = drain();
        }
        if (drained < BUSY_BYTES) {
          try {
            Thread.sleep(gatherMillis); // let the next events gather (close() interrupts no sleep: ≤ 50 ms × pace)
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }
  }

  /** Reads until the queue is empty; returns the bytes read. Holds the lock. */
  private long drain() {
    long total = 0;
    while (true) {
      long n = LinuxFanotify.read(fanotify, batch, BATCH_BYTES);
      if (n > 0) {
        total += n;
        batch.read(0, copy, 0, (int) n);
        FanotifyEvents.parse(copy, (int) n, sink);
        continue;
      }
      int errno = Native.getLastError();
      if (n < 0 && errno == LinuxFanotify.EINTR) {
        continue;
      }
      if (n < 0 && errno != LinuxFanotify.EAGAIN) {
        failure = "reading fanotify events failed, errno " + errno;
        log.warn("Change journal stopped: {}; scans list every folder from now on.", failure);
      }
      return total;
    }
  }

  private void fail(String why) {
    synchronized (lock) {
      if (failure.isEmpty()) {
        failure = why;
        log.warn("Change journal stopped: {}; scans list every folder from now on.", why);
      }
    }
  }

  private void restart(String why) {
    if (dirty.restarts() == 0) {
      log.info("Change journal lost track ({}); the next scan lists every folder.", why);
    } else {
      log.debug("Change journal lost track ({}).", why);
    }
    dirty.restart(why);
  }

  /**
   * A file's link count changed and the event names no folder: a hard link made, or one of
   * several names removed. If the file is gone, every name it had was removed, each from a
   * folder that was recorded: nothing to do. If it still has a name, its file id is recorded,
   * so folders holding it are listed again. If that cannot be told, the journal restarts.
   */
  private void linkCountChanged(FolderHandle file) {
    String mountPath = mountPaths.get(file.filesystem());
    if (mountPath == null) {
      return; // not a watched file system: nothing of ours to trust there anyway
    }
    int mountFd = LinuxFanotify.open(mountPath, LinuxFanotify.O_RDONLY | oDirectory | LinuxFanotify.O_CLOEXEC);
    if (mountFd < 0) {
      restart("a file's link count changed and its file system is no longer where it was watched");
      return;
    }
    try {
      if (LinuxFanotify.fstatfs(mountFd, statfs) != 0
          || statfs.getLong(LinuxFanotify.STATFS_FSID_OFFSET) != file.filesystem()) {
        restart("a file's link count changed and another file system is mounted where it was watched");
        return;
      }
      byte[] id = file.toBytes();
      int handleBytes = id.length - FolderHandle.PREFIX;
      handle.setInt(0, handleBytes);
      handle.write(4, id, 8, 4 + handleBytes); // handle_type, then the handle
      int fd = LinuxFanotify.open_by_handle_at(mountFd, handle, LinuxFanotify.O_PATH | LinuxFanotify.O_CLOEXEC);
      if (fd < 0) {
        int errno = Native.getLastError();
        if (errno == ESTALE || errno == ENOENT) {
          return; // gone, so every name it had was removed, each from a folder that was recorded
        }
        // Out of descriptors, memory, or not allowed: the change cannot be placed, so trust nothing.
        restart("a file's link count changed and the file cannot be opened (errno " + errno + ")");
        return;
      }
      try {
        if (LinuxFanotify.statx(fd, "", LinuxFanotify.AT_EMPTY_PATH,
            LinuxFanotify.STATX_NLINK | LinuxFanotify.STATX_INO, stat) != 0) {
          restart("a file's link count changed and the file cannot be looked at");
          return;
        }
        if (stat.getInt(16) == 0) { // stx_nlink: unlinked, still open somewhere
          return;
        }
        dirty.relinked(stat.getLong(32)); // stx_ino
      } finally {
        LinuxFanotify.close(fd);
      }
    } finally {
      LinuxFanotify.close(mountFd);
    }
  }

  /** Turns parsed events into dirty folders. Called with the lock held. */
  private final class Sink implements FanotifyEvents.Sink {
    @Override
    public void folderChanged(FolderHandle folder) {
      dirty.changed(folder);
    }

    @Override
    public void fileOnly(FolderHandle file, long mask) {
      if ((mask & ENTRY_EVENTS) != 0) {
        // A name was made or removed, yet the event names no folder (the kernel could not encode
        // its handle): the folder is unknown, so no folder can be vouched for.
        restart("an entry event named no folder");
        return;
      }
      if ((mask & FanotifyEvents.FAN_DELETE_SELF) != 0) {
        return; // its last name went: that removal named its folder
      }
      if ((mask & ~(FanotifyEvents.FAN_MOVE_SELF)) == 0) {
        return; // a rename: MOVED_FROM / MOVED_TO named both folders
      }
      linkCountChanged(file);
    }

    @Override
    public void overflow() {
      restart("the kernel's event queue overflowed");
    }

    @Override
    public void malformed(String why) {
      restart("malformed event: " + why);
    }

    @Override
    public void descriptor(int fd) {
      LinuxFanotify.close(fd);
    }
  }

  /**
   * Gathers events {@code slowFactor} times longer between reads (fewer wake-ups, more merged
   * events). A busy queue is still read at once, so slowing down never overflows it.
   */
  @Override
  public void pace(int slowFactor) {
    gatherMillis = GATHER_MILLIS * Math.max(1, Math.min(slowFactor, 16));
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (wake[1] >= 0) {
      LinuxFanotify.write(wake[1], new byte[] {1}, 1);
    }
    try {
      reader.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (lock) {
      LinuxFanotify.close(fanotify);
      if (wake[0] >= 0) {
        LinuxFanotify.close(wake[0]);
        LinuxFanotify.close(wake[1]);
      }
      if (!reader.isAlive()) {
        batch.close();
        handle.close();
        stat.close();
        statfs.close();
      }
    }
  }

  @Override
  public String toString() {
    return "LinuxFanotifyJournal[" + filesystems.size() + " file system(s)]";
  }
}
