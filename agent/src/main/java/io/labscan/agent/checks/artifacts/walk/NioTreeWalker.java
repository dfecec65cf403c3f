package io.labscan.agent.checks.artifacts.walk;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The portable walker: the JDK lists each folder and reads every entry's attributes (without
 * following links), which costs one {@code lstat} per entry on Unix. Used where the native
 * walker is not available (Windows, macOS, other CPUs, a JNA that fails to load). Names are
 * the JDK's: on Linux it shows bytes that are not valid in the platform encoding as U+FFFD.
 */
final class NioTreeWalker implements TreeWalker {

  @Override
  public String name() {
    return "nio";
  }

  private static final class Level<F> {
    final Path dir;
    final F state;
    final List<Path> subfolders = new ArrayList<>();
    int next;

    Level(Path dir, F state) {
      this.dir = dir;
      this.state = state;
    }
  }

  @Override
  public <F> void walk(Path root, WalkVisitor<F> visitor) throws IOException {
    requireNonNull(visitor, "visitor");
    if (!Files.isDirectory(requireNonNull(root, "root"), LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("scan root " + root + " is not a directory");
    }
    Deque<Level<F>> stack = new ArrayDeque<>();
    Level<F> top = new Level<>(root, visitor.root());
    stack.push(top);
    list(top, visitor);
    while (!stack.isEmpty()) {
      if (visitor.stopRequested()) {
        return;
      }
      Level<F> level = stack.peek();
      if (level.next >= level.subfolders.size()) {
        stack.pop();
        continue;
      }
      Path dir = level.subfolders.get(level.next);
      level.subfolders.set(level.next++, null); // done with it: let it go
      String name = String.valueOf(dir.getFileName());
      Optional<F> state = visitor.enter(level.state, name);
      if (state.isPresent()) {
        Level<F> child = new Level<>(dir, state.get());
        stack.push(child);
        list(child, visitor);
      }
    }
  }

  private static <F> void list(Level<F> level, WalkVisitor<F> visitor) {
    boolean complete = false;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(level.dir)) {
      for (Path entry : entries) {
        if (visitor.stopRequested()) {
          visitor.listed(level.state, false);
          return;
        }
        visit(level, entry, visitor);
      }
      complete = true;
    } catch (IOException | DirectoryIteratorException | SecurityException e) {
      visitor.unreadable(level.state, "");
    }
    visitor.listed(level.state, complete);
  }

  private static <F> void visit(Level<F> level, Path entry, WalkVisitor<F> visitor) {
    String name = String.valueOf(entry.getFileName());
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException | SecurityException e) {
      visitor.unreadable(level.state, name);
      return;
    }
    if (attrs.isDirectory()) {
      level.subfolders.add(entry);
    } else if (attrs.isSymbolicLink()) {
      visitor.notFollowed(level.state, name, EntryType.SYMLINK);
    } else if (attrs.isRegularFile()) {
      visitor.file(level.state, new NioFileEntry(entry, name, attrs));
    } else {
      visitor.notFollowed(level.state, name, EntryType.SPECIAL); // FIFO, device, socket, junction
    }
  }

  private record NioFileEntry(Path path, String name, BasicFileAttributes listed) implements FileEntry {
    @Override
    public FileAttributes attributes() {
      return attributesOf(listed);
    }

    @Override
    public FileAttributes attributesNow() throws IOException {
      return attributesOf(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    }

    @Override
    public ReadableByteChannel open() throws IOException {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      return channel;
    }

    @Override
    public FileChannel openChannel() throws IOException {
      return FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public FileChannel openSibling(String sibling) throws IOException {
      if (!LinuxTreeWalker.isPlainName(sibling.getBytes(StandardCharsets.UTF_8))) {
        throw new IOException("not a file name: " + sibling);
      }
      Path other = path.resolveSibling(sibling);
      if (!Files.isRegularFile(other, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(other + " is not a regular file");
      }
      return FileChannel.open(other, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    private static FileAttributes attributesOf(BasicFileAttributes a) {
      return new FileAttributes(a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS),
          Objects.toString(a.fileKey(), ""));
    }
  }
}
