package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * Walks every user profile and mail spool under a scanned root and hands out their regular
 * files, each marked with its mail store format when it is one. The mail check reads the
 * stores; the harvest check reads the stores and the address books and text files.
 *
 * <p>Folder links are never followed inside a profile (a Vista {@code Documents and Settings}
 * junction would otherwise walk every profile twice); file links are followed only to targets
 * inside the root. Unreadable entries and folders below the depth limit are counted.
 */
public final class ProfileWalker {
  private final int maxDepth;

  public ProfileWalker(int maxDepth) {
    if (maxDepth <= 0) {
      throw new IllegalArgumentException("maxDepth must be positive");
    }
    this.maxDepth = maxDepth;
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
      Files.walkFileTree(start.dir(), EnumSet.noneOf(FileVisitOption.class),
          maxDepth, new Visitor(guard, start, visitor, counters));
      if (Thread.interrupted()) {
        throw new InterruptedException("profile walk interrupted");
      }
    }
  }

  private static final class Visitor implements FileVisitor<Path> {
    private final RootGuard guard;
    private final ProfileLocations.Start start;
    private final ProfileFileVisitor visitor;
    private final ScanCounters counters;
    /** For each open folder: whether it is inside a mail folder. */
    private final Deque<Boolean> inMailFolder = new ArrayDeque<>();

    Visitor(RootGuard guard, ProfileLocations.Start start, ProfileFileVisitor visitor,
        ScanCounters counters) {
      this.guard = guard;
      this.start = start;
      this.visitor = visitor;
      this.counters = counters;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
      if (Thread.currentThread().isInterrupted()) {
        return FileVisitResult.TERMINATE;
      }
      boolean mail = start.spool()
          || (!inMailFolder.isEmpty() && inMailFolder.peek())
          || MailFolders.isMailFolder(segmentsBelowStart(dir));
      inMailFolder.push(mail);
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
      if (Thread.currentThread().isInterrupted()) {
        return FileVisitResult.TERMINATE;
      }
      boolean mail = !inMailFolder.isEmpty() && inMailFolder.peek();
      if (attrs.isDirectory()) {
        // walkFileTree reports folders at the depth limit as files.
        counters.skipped(SkipReasons.TOO_DEEP, 1);
      } else if (attrs.isSymbolicLink()) {
        guard.inside(file, counters)
            .filter(Files::isRegularFile)
            .ifPresent(target -> hand(target, mail));
      } else if (attrs.isRegularFile()) {
        hand(file, mail);
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFileFailed(Path file, IOException exc) {
      counters.skipped(SkipReasons.UNREADABLE, 1);
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
      inMailFolder.pop();
      if (exc != null) {
        counters.skipped(SkipReasons.UNREADABLE, 1);
      }
      return FileVisitResult.CONTINUE;
    }

    /**
     * Hands out {@code target}, a real path inside the root. For a followed link, whether it
     * counts as in a mail folder follows where the link sits; its format and reported path
     * follow where the bytes really are.
     */
    private void hand(Path target, boolean mail) {
      long size;
      try {
        size = Files.size(target);
      } catch (IOException e) {
        counters.skipped(SkipReasons.UNREADABLE, 1);
        return;
      }
      Optional<MailStoreFormat> format = MailStoreClassifier.classify(target, mail, counters);
      try {
        visitor.visit(new ProfileFile(target, guard.relative(target), size, format));
      } catch (InterruptedException e) {
        // FileVisitor cannot throw it: keep the flag, the next callback ends the walk.
        Thread.currentThread().interrupt();
      }
    }

    private List<String> segmentsBelowStart(Path dir) {
      List<String> segments = new ArrayList<>();
      for (Path part : start.dir().relativize(dir)) {
        String name = part.toString();
        if (!name.isEmpty()) {
          segments.add(name);
        }
      }
      return segments;
    }
  }
}
