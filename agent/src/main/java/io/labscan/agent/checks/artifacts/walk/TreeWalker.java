package io.labscan.agent.checks.artifacts.walk;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.platform.Platform;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Walks the tree under a scan root, never following symbolic links, and tells a
 * {@link WalkVisitor} what it finds. Implementations differ only in how cheaply they learn an
 * entry's type: the Linux walker reads it from the directory listing ({@code d_type}) and
 * asks the kernel for sizes and times only when the visitor wants them; the portable walker
 * asks the JDK for every entry's attributes.
 *
 * <p>Order, common to all walkers: the files (and links and special files) of a folder are
 * visited while it is listed, then {@link WalkVisitor#listed} is called, then its subfolders
 * are walked one after the other. So a folder's files are visited together, and only the
 * names of a folder's pending subfolders are held while the walk is below it. The walk is
 * iterative: a deep tree cannot overflow the (small) thread stack.
 */
public interface TreeWalker {

  /** A short name for logs and documentation ({@code linux-getdents}, {@code nio}). */
  String name();

  /**
   * Walks everything under {@code root}.
   *
   * @param root the real path of a directory (the caller resolved links in the root itself)
   * @throws IOException only when the root itself cannot be opened; everything below it that
   *     cannot be read is reported to the visitor and the walk goes on
   */
  <F> void walk(Path root, WalkVisitor<F> visitor) throws IOException;

  /** The fastest walker that works on this machine. */
  static TreeWalker forCurrentPlatform() {
    return forPlatform(Platform.current());
  }

  /** The fastest walker that works on a machine running {@code platform} (the platform seam asks). */
  static TreeWalker forPlatform(Platform platform) {
    return TreeWalkers.forPlatform(requireNonNull(platform, "platform"));
  }

  /** The JDK walker, on every platform. */
  static TreeWalker portable() {
    return new NioTreeWalker();
  }
}
