package io.labscan.agent.checks.artifacts.walk;

import static java.util.Objects.requireNonNull;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The Linux walker: lists folders with {@code getdents64}, which gives each entry's type
 * ({@code d_type}) with its name, the way {@code find} does, so an entry costs no system call
 * of its own. Size, time and inode ({@code statx}) are read only when the visitor asks (a
 * hash rule or the digest cache needs them), or when the file system leaves the type unknown.
 *
 * <p>Every folder and file is opened relative to its parent's descriptor ({@code openat})
 * with {@code O_NOFOLLOW}: a folder swapped for a link to {@code /etc} after it was listed is
 * not followed, whatever the path above it. Names are passed to the kernel as the bytes the
 * listing gave, so names that are not UTF-8 are scanned like any other.
 *
 * <p>One descriptor is open per level of the folder being walked (as with the JDK's walk);
 * a tree deeper than the process may open reports its deepest folders as unreadable.
 */
final class LinuxTreeWalker implements TreeWalker {
  private static final Logger log = LoggerFactory.getLogger(LinuxTreeWalker.class);
  private static final int LISTING_BUFFER = 64 * 1024;
  private static final int READ_BUFFER = 64 * 1024;
  /** Longer than any name Linux file systems store (255 bytes), so no real name is refused. */
  private static final int MAX_NAME = 4095;
  private static final int STAT_MASK = LinuxLibc.STATX_TYPE | LinuxLibc.STATX_MODE | LinuxLibc.STATX_NLINK
      | LinuxLibc.STATX_MTIME | LinuxLibc.STATX_CTIME | LinuxLibc.STATX_INO | LinuxLibc.STATX_SIZE;
  /** {@code struct statfs}: 120 bytes on 64-bit Linux, {@code f_fsid} after seven 8-byte words. */
  private static final int STATFS_SIZE = 120;
  private static final int STATFS_FSID = 56;
  /** {@code MAX_HANDLE_SZ}. */
  private static final int MAX_HANDLE = 128;
  private static final int STAT_FLAGS = LinuxLibc.AT_SYMLINK_NOFOLLOW | LinuxLibc.AT_NO_AUTOMOUNT;

  private final LinuxLibc.Flags flags;

  private LinuxTreeWalker(LinuxLibc.Flags flags) {
    this.flags = flags;
  }

  /** The walker, when this Linux runs on a known CPU and glibc has the calls (tried on "/"); only asked on Linux. */
  static Optional<TreeWalker> probe() {
    try {
      LinuxLibc.Flags flags = LinuxLibc.flags();
      if (flags == null) {
        log.debug("No open(2) flags known for CPU {}", Platform.ARCH);
        return Optional.empty();
      }
      LinuxTreeWalker walker = new LinuxTreeWalker(flags);
      walker.selfTest();
      return Optional.of(walker);
    } catch (IOException | RuntimeException | LinkageError e) {
      log.debug("Native directory walker unavailable ({})", e.toString());
      return Optional.empty();
    }
  }

  /** Lists "/" and stats its first entry: fails here, not in a scan, where a call is missing. */
  private void selfTest() throws IOException {
    try (Memory path = cString("/".getBytes(StandardCharsets.US_ASCII));
        Memory dents = new Memory(LISTING_BUFFER);
        Memory stat = new Memory(Statx.SIZE)) {
      int fd = LinuxLibc.openat(LinuxLibc.AT_FDCWD, path, flags.openFolder());
      if (fd < 0) {
        throw new IOException("open / failed, errno " + Native.getLastError());
      }
      try {
        long n = LinuxLibc.getdents64(fd, dents, LISTING_BUFFER);
        if (n < 0) {
          throw new IOException("getdents64 failed, errno " + Native.getLastError());
        }
        if (LinuxLibc.statx(fd, dents.share(LinuxDirents.NAME_OFFSET), STAT_FLAGS, STAT_MASK, stat) != 0) {
          throw new IOException("statx failed, errno " + Native.getLastError());
        }
      } finally {
        LinuxLibc.close(fd);
      }
    }
  }

  @Override
  public String name() {
    return "linux-getdents";
  }

  @Override
  public <F> void walk(Path root, WalkVisitor<F> visitor) throws IOException {
    requireNonNull(visitor, "visitor");
    try (Walk<F> walk = new Walk<>(visitor)) {
      walk.run(requireNonNull(root, "root"));
    }
  }

  /** One folder being walked: its descriptor, and its subfolders still to walk. */
  private static final class Level<F> {
    final int fd;
    final F state;
    final List<byte[]> subfolders = new ArrayList<>();
    int next;

    Level(int fd, F state) {
      this.fd = fd;
      this.state = state;
    }
  }

  /** The state of one walk: native buffers and the stack of open folders. */
  private final class Walk<F> implements AutoCloseable {
    private final WalkVisitor<F> visitor;
    private final Memory dents = new Memory(LISTING_BUFFER);
    private final byte[] listing = new byte[LISTING_BUFFER];
    private final Memory name = new Memory(MAX_NAME + 1);
    private final Memory stat = new Memory(Statx.SIZE);
    private final Memory readBuffer = new Memory(READ_BUFFER);
    private final Memory empty = cString(new byte[0]);
    private final Memory statfs = new Memory(STATFS_SIZE);
    private final Memory handle = new Memory(8 + MAX_HANDLE);
    private final Memory mountId = new Memory(4);
    private final boolean identities;
    private final Deque<Level<F>> stack = new ArrayDeque<>();
    private final Statx.Reader statx = new Statx.Reader();

    Walk(WalkVisitor<F> visitor) {
      this.visitor = visitor;
      this.identities = visitor.wantsFolderIdentity();
    }

    void run(Path root) throws IOException {
      byte[] rootBytes = root.toString().getBytes(nativeCharset());
      if (rootBytes.length > MAX_NAME) {
        throw new IOException("scan root path is too long: " + root);
      }
      F rootState = visitor.root();
      setName(rootBytes);
      int fd = LinuxLibc.openat(LinuxLibc.AT_FDCWD, name, flags.openFolder());
      if (fd < 0) {
        throw new IOException("cannot open scan root " + root + ": errno " + Native.getLastError());
      }
      Level<F> top = new Level<>(fd, rootState);
      stack.push(top);
      listOrReuse(top);
      while (!stack.isEmpty()) {
        if (visitor.stopRequested()) {
          return;
        }
        Level<F> level = stack.peek();
        if (level.next >= level.subfolders.size()) {
          LinuxLibc.close(stack.pop().fd);
          continue;
        }
        byte[] folder = level.subfolders.get(level.next);
        level.subfolders.set(level.next++, null); // done with it: let it go
        String display = FileNames.display(folder, 0, folder.length);
        Optional<F> state = visitor.enter(level.state, display);
        if (state.isEmpty()) {
          continue;
        }
        if (folder.length > MAX_NAME) {
          visitor.unreadable(level.state, display); // no Linux file system stores such a name
          continue;
        }
        setName(folder);
        int child = LinuxLibc.openat(level.fd, name, flags.openFolder());
        if (child < 0) {
          // Unreadable, gone since listed, or replaced by a link (O_NOFOLLOW refuses it).
          visitor.unreadable(level.state, display);
          continue;
        }
        Level<F> next = new Level<>(child, state.get());
        stack.push(next);
        listOrReuse(next);
      }
    }

    /** Lists the folder, unless the visitor already knows its outcome and hands its subfolders. */
    private void listOrReuse(Level<F> level) {
      Optional<List<byte[]>> known = visitor.opened(level.state, identity(level.fd));
      if (known.isPresent() && known.get().stream().allMatch(LinuxTreeWalker::isPlainName)) {
        level.subfolders.addAll(known.get());
        return;
      }
      list(level);
    }

    /** The open folder {@code fd}'s identity: empty when not asked for or not known. */
    private Optional<FolderId> identity(int fd) {
      if (!identities || LinuxLibc.fstatfs(fd, statfs) != 0
          || LinuxLibc.statx(fd, empty, LinuxLibc.AT_EMPTY_PATH, LinuxLibc.STATX_TYPE, stat) != 0) {
        return Optional.empty();
      }
      long device = (stat.getInt(136) & 0xffffffffL) << 32 | (stat.getInt(140) & 0xffffffffL);
      handle.setInt(0, MAX_HANDLE);
      if (LinuxLibc.name_to_handle_at(fd, empty, handle, mountId, LinuxLibc.AT_EMPTY_PATH) != 0) {
        return Optional.empty(); // e.g. a file system without file handles
      }
      int bytes = handle.getInt(0);
      if (bytes < 1 || bytes > MAX_HANDLE) {
        return Optional.empty();
      }
      byte[] id = new byte[12 + bytes];
      statfs.read(STATFS_FSID, id, 0, 8);
      handle.read(4, id, 8, 4 + bytes);
      return Optional.of(new FolderId(id, device));
    }

    /** Reads the whole listing of a folder, visiting files now and keeping subfolders for later. */
    private void list(Level<F> level) {
      while (true) {
        long n = LinuxLibc.getdents64(level.fd, dents, LISTING_BUFFER);
        if (n == 0) {
          visitor.subfolders(level.state, List.copyOf(level.subfolders));
          visitor.listed(level.state, true);
          return;
        }
        if (n < 0) {
          if (Native.getLastError() == LinuxLibc.EINTR) {
            continue;
          }
          visitor.unreadable(level.state, "");
          visitor.subfolders(level.state, List.copyOf(level.subfolders));
          visitor.listed(level.state, false);
          return;
        }
        dents.read(0, listing, 0, (int) n);
        LinuxDirents entries = new LinuxDirents(listing, (int) n);
        try {
          while (entries.next()) {
            if (visitor.stopRequested()) {
              visitor.subfolders(level.state, List.copyOf(level.subfolders));
              visitor.listed(level.state, false);
              return;
            }
            visit(level, entries);
          }
        } catch (IOException malformed) {
          log.warn("Directory listing ended early: {}", malformed.getMessage());
          visitor.unreadable(level.state, "");
          visitor.subfolders(level.state, List.copyOf(level.subfolders));
          visitor.listed(level.state, false);
          return;
        }
      }
    }

    private void visit(Level<F> level, LinuxDirents entry) {
      int offset = entry.nameOffset();
      int length = entry.nameLength();
      EntryType type = LinuxDirents.typeOf(entry.type());
      FileAttributes known = null;
      if (type == null) { // DT_UNKNOWN: this file system does not say, so ask
        if (LinuxLibc.statx(level.fd, dents.share(offset), STAT_FLAGS, STAT_MASK, stat) != 0) {
          visitor.unreadable(level.state, FileNames.display(listing, offset, length));
          return;
        }
        type = Statx.type(stat);
        known = type == EntryType.FILE ? statx.attributes(stat) : null;
      }
      switch (type) {
        case DIRECTORY -> level.subfolders.add(Arrays.copyOfRange(listing, offset, offset + length));
        case FILE -> visitor.file(level.state,
            new LinuxFileEntry(level.fd, offset, FileNames.display(listing, offset, length), known));
        default -> visitor.notFollowed(level.state, FileNames.display(listing, offset, length), type);
      }
    }

    private void setName(byte[] bytes) {
      name.write(0, bytes, 0, bytes.length);
      name.setByte(bytes.length, (byte) 0);
    }

    @Override
    public void close() {
      while (!stack.isEmpty()) {
        LinuxLibc.close(stack.pop().fd);
      }
      dents.close();
      name.close();
      stat.close();
      readBuffer.close();
      empty.close();
      statfs.close();
      handle.close();
      mountId.close();
    }

    /**
     * A regular file in the folder open as {@code dirfd}, named by the bytes at
     * {@code nameOffset} of the listing buffer (NUL-terminated there by the kernel).
     */
    private final class LinuxFileEntry implements FileEntry {
      private final int dirfd;
      private final int nameOffset;
      private final String display;
      private @Nullable FileAttributes attributes;
      private @Nullable Pointer name;

      LinuxFileEntry(int dirfd, int nameOffset, String display, @Nullable FileAttributes known) {
        this.dirfd = dirfd;
        this.nameOffset = nameOffset;
        this.display = display;
        this.attributes = known;
      }

      /** Made only when the kernel is asked about the file: a name-only scan never is. */
      private Pointer namePointer() {
        if (name == null) {
          name = dents.share(nameOffset);
        }
        return name;
      }

      @Override
      public String name() {
        return display;
      }

      @Override
      public FileAttributes attributes() throws IOException {
        if (attributes == null) {
          attributes = attributesNow();
        }
        return attributes;
      }

      @Override
      public FileAttributes attributesNow() throws IOException {
        if (LinuxLibc.statx(dirfd, namePointer(), STAT_FLAGS, STAT_MASK, stat) != 0) {
          throw new IOException(display + ": statx failed, errno " + Native.getLastError());
        }
        if (Statx.type(stat) != EntryType.FILE) {
          throw new IOException(display + " is no longer a regular file");
        }
        return statx.attributes(stat);
      }

      @Override
      public ReadableByteChannel open() throws IOException {
        return new DescriptorChannel(openRegular(dirfd, namePointer(), display), display);
      }

      @Override
      public FileChannel openChannel() throws IOException {
        return reopen(openRegular(dirfd, namePointer(), display), display);
      }

      @Override
      public FileChannel openSibling(String sibling) throws IOException {
        byte[] bytes = requireNonNull(sibling, "sibling").getBytes(nativeCharset());
        if (!isPlainName(bytes)) {
          throw new IOException("not a file name: " + sibling);
        }
        try (Memory siblingName = cString(bytes)) {
          return reopen(openRegular(dirfd, siblingName, sibling), sibling);
        }
      }
    }

    /**
     * Opens the entry {@code name} of the folder {@code dirfd} without following a link
     * ({@code O_NOFOLLOW}) and checks that what was opened is a regular file: listed as a
     * file, it may have been swapped for a FIFO or device since (O_NONBLOCK kept the open
     * itself from waiting on a FIFO).
     */
    private int openRegular(int dirfd, Pointer name, String display) throws IOException {
      int fd = LinuxLibc.openat(dirfd, name, flags.openFile());
      if (fd < 0) {
        throw new IOException(display + ": open failed, errno " + Native.getLastError());
      }
      if (LinuxLibc.statx(fd, empty, LinuxLibc.AT_EMPTY_PATH, LinuxLibc.STATX_TYPE, stat) != 0
          || Statx.type(stat) != EntryType.FILE) {
        LinuxLibc.close(fd);
        throw new IOException(display + " is not a regular file");
      }
      return fd;
    }

    /**
     * A JDK channel on the file open as {@code fd}, which is then closed. Opening
     * {@code /proc/self/fd/N} does not resolve a path again: the kernel's magic link leads
     * to the very file the descriptor holds, whatever has been renamed or linked since. So
     * the channel reads the file the walk vetted, never one a user swapped in afterwards.
     */
    private static FileChannel reopen(int fd, String display) throws IOException {
      try {
        return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.READ);
      } catch (IOException e) {
        throw new IOException(display + ": cannot reopen its descriptor: " + e.getMessage(), e);
      } finally {
        LinuxLibc.close(fd);
      }
    }

    /** Reads an open descriptor through the walk's native buffer. */
    private final class DescriptorChannel implements ReadableByteChannel {
      private final String display;
      private int fd;

      DescriptorChannel(int fd, String display) {
        this.fd = fd;
        this.display = display;
      }

      @Override
      public int read(ByteBuffer target) throws IOException {
        if (fd < 0) {
          throw new ClosedChannelException();
        }
        int want = Math.min(target.remaining(), READ_BUFFER);
        if (want == 0) {
          return 0;
        }
        long n;
        do {
          n = LinuxLibc.read(fd, readBuffer, want);
        } while (n < 0 && Native.getLastError() == LinuxLibc.EINTR);
        if (n < 0) {
          throw new IOException(display + ": read failed, errno " + Native.getLastError());
        }
        if (n == 0) {
          return -1;
        }
        int got = (int) n;
        if (target.hasArray()) {
          readBuffer.read(0, target.array(), target.arrayOffset() + target.position(), got);
          target.position(target.position() + got);
        } else {
          target.put(readBuffer.getByteBuffer(0, got));
        }
        return got;
      }

      @Override
      public boolean isOpen() {
        return fd >= 0;
      }

      @Override
      public void close() {
        if (fd >= 0) {
          LinuxLibc.close(fd);
          fd = -1;
        }
      }
    }
  }

  /** A name a listing could hold: not empty, not {@code .} or {@code ..}, no {@code /} or NUL. */
  static boolean isPlainName(byte[] name) {
    if (name == null || name.length == 0 || name.length > MAX_NAME
        || (name[0] == '.' && (name.length == 1 || (name.length == 2 && name[1] == '.')))) {
      return false;
    }
    for (byte b : name) {
      if (b == '/' || b == 0) {
        return false;
      }
    }
    return true;
  }

  private static Memory cString(byte[] bytes) {
    Memory m = new Memory(bytes.length + 1L);
    m.write(0, bytes, 0, bytes.length);
    m.setByte(bytes.length, (byte) 0);
    return m;
  }

  /** How the JDK turns paths into bytes here (the root came from a Java {@link Path}). */
  private static Charset nativeCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (RuntimeException e) {
      return StandardCharsets.UTF_8;
    }
  }
}
