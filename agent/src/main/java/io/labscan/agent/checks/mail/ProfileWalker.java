package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.artifacts.walk.EntryType;
import io.labscan.agent.checks.artifacts.walk.FileEntry;
import io.labscan.agent.checks.artifacts.walk.TreeWalker;
import io.labscan.agent.checks.artifacts.walk.WalkVisitor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Walks every user profile and mail spool under a scanned root and hands out their regular
 * files, each marked with its mail store format when it is one. The mail check reads the
 * stores; the harvest check reads the stores and the address books and text files.
 *
 * <h2>No link is followed, at any level</h2>
 *
 * <p>The agent reads these files as root (LocalSystem), and everything below a profile folder
 * belongs to its user, who may replace any folder in it with a link at any moment: a
 * {@code /home/alice/.thunderbird -> /root} swapped in between the walk's look at the folder
 * and its open would make a path-based walk read root's files as alice's address book. So
 * below the start of each profile or spool this walk is the artifact walk's
 * ({@link TreeWalker}): on Linux every folder is opened relative to its parent's open
 * descriptor with {@code O_NOFOLLOW | O_DIRECTORY}, every file relative to its folder's
 * descriptor with {@code O_NOFOLLOW} and checked to be a regular file after the open, and
 * the checks read only through that descriptor ({@link FileOpener}; a random-access channel is
 * made by reopening {@code /proc/self/fd/N}, which names the open file itself, not a path).
 * No path is resolved again after the walk vetted it, so there is no window between check
 * and use: a link swapped into a parent folder after it was opened changes nothing (the
 * descriptor still holds the real folder), and one swapped in before it is opened is refused
 * by the kernel. Links met in a profile (to files or folders) are not followed and are counted
 * as {@value SkipReasons#LINK_NOT_FOLLOWED}.
 *
 * <p>The starts themselves ({@code home/*}, {@code Users/*}, {@code var/mail}, ...) are found by
 * {@link ProfileLocations}, which resolves links only to targets inside the root: each
 * component down to and including a profile folder is an entry of a folder only the
 * administrator may change ({@code /home}, {@code /Users}), so the user cannot swap it. Where
 * the native walker is unavailable (Windows, macOS, other CPUs) the portable walker refuses
 * links by their attributes and opens files with {@code NOFOLLOW_LINKS}, which leaves a race
 * on the folders above a file; see docs/checks-mail.md.
 *
 * <p>Folders below the depth limit and unreadable entries are counted.
 */
public final class ProfileWalker {
  private final int maxDepth;
  private final TreeWalker walker;

  public ProfileWalker(int maxDepth) {
    this(maxDepth, TreeWalker.forCurrentPlatform());
  }

  /** @param walker the directory walker (tests: the portable one) */
  public ProfileWalker(int maxDepth, TreeWalker walker) {
    if (maxDepth <= 0) {
      throw new IllegalArgumentException("maxDepth must be positive");
    }
    this.maxDepth = maxDepth;
    this.walker = requireNonNull(walker, "walker");
  }

  /**
   * Walks the profiles and spools under {@code root}.
   *
   * @throws IOException when the root itself cannot be resolved
   * @throws InterruptedException when the thread is interrupted; the walk stops early
   */
  public void walk(Path root, ProfileFileVisitor visitor, ScanCounters counters)
      throws IOException, InterruptedException {
    requireNonNull(visitor, "visitor");
    requireNonNull(counters, "counters");
    RootGuard guard = RootGuard.of(root);
    for (ProfileLocations.Start start : ProfileLocations.find(guard, counters)) {
      try {
        walker.walk(start.dir(), new Visitor(guard.relative(start.dir()), start.spool(),
            visitor, counters));
      } catch (IOException e) {
        counters.skipped(SkipReasons.UNREADABLE, 1); // the start folder itself
      }
      if (Thread.interrupted()) {
        throw new InterruptedException("profile walk interrupted");
      }
    }
  }

  /**
   * One folder being walked.
   *
   * @param relativePath its path relative to the scanned root, with '/'
   * @param name its own name
   * @param belowStart its path segments below the profile or spool folder
   * @param mail whether it is (inside) a mail folder
   */
  private record Folder(String relativePath, String name, List<String> belowStart, boolean mail) {}

  private final class Visitor implements WalkVisitor<Folder> {
    private final String startPath;
    private final boolean spool;
    private final ProfileFileVisitor visitor;
    private final ScanCounters counters;

    Visitor(String startPath, boolean spool, ProfileFileVisitor visitor, ScanCounters counters) {
      this.startPath = startPath;
      this.spool = spool;
      this.visitor = visitor;
      this.counters = counters;
    }

    @Override
    public Folder root() {
      int slash = startPath.lastIndexOf('/');
      return new Folder(startPath, startPath.substring(slash + 1), List.of(), spool);
    }

    @Override
    public Optional<Folder> enter(Folder parent, String name) {
      // A file directly in the start is at depth 1; a folder at the limit holds files below it.
      if (parent.belowStart().size() + 1 >= maxDepth) {
        counters.skipped(SkipReasons.TOO_DEEP, 1);
        return Optional.empty();
      }
      List<String> segments = new ArrayList<>(parent.belowStart());
      segments.add(name);
      boolean mail = parent.mail() || MailFolders.isMailFolder(segments);
      return Optional.of(new Folder(join(parent.relativePath(), name), name,
          List.copyOf(segments), mail));
    }

    @Override
    public void file(Folder folder, FileEntry file) {
      long size;
      try {
        size = file.attributes().size();
      } catch (IOException e) {
        counters.skipped(SkipReasons.UNREADABLE, 1);
        return;
      }
      FileOpener opener = new EntryOpener(file);
      Optional<MailStoreFormat> format = MailStoreClassifier.classify(file.name(),
          folder.name(), folder.mail(), opener, counters);
      try {
        visitor.visit(new ProfileFile(file.name(), join(folder.relativePath(), file.name()),
            size, format, opener));
      } catch (InterruptedException e) {
        // The walker asks stopRequested() next and ends; walk() turns the flag into the exception.
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void notFollowed(Folder folder, String name, EntryType type) {
      // FIFOs, sockets and devices hold no mail; a Windows junction is a link as well.
      counters.skipped(type == EntryType.SYMLINK ? SkipReasons.LINK_NOT_FOLLOWED
          : SkipReasons.NOT_REGULAR, 1);
    }

    @Override
    public void unreadable(Folder folder, String name) {
      counters.skipped(SkipReasons.UNREADABLE, 1);
    }

    @Override
    public void listed(Folder folder, boolean complete) {}

    @Override
    public boolean stopRequested() {
      return Thread.currentThread().isInterrupted();
    }

    private static String join(String parent, String name) {
      return parent.isEmpty() ? name : parent + "/" + name;
    }
  }

  /** Opens through the walk's entry: valid while the walk is in the entry's folder. */
  private record EntryOpener(FileEntry entry) implements FileOpener {
    @Override
    public FileChannel open() throws IOException {
      return entry.openChannel();
    }

    @Override
    public FileChannel openSibling(String name) throws IOException {
      return entry.openSibling(name);
    }
  }
}
