package io.labscan.agent.checks.artifacts.walk;

import java.util.List;
import java.util.Optional;

/**
 * Receives what a {@link TreeWalker} finds. {@code F} is the visitor's own state for one
 * folder (e.g. the rules that apply there); the walker only carries it.
 *
 * <p>Names come from the scanned disk: they may hold any bytes. On Linux a name that is not
 * valid UTF-8 is shown with each byte of an invalid sequence as {@code \xNN} (see
 * {@link FileNames#display}); the entry is still visited and opened by its real bytes.
 */
public interface WalkVisitor<F> {

  /** State for the root folder. */
  F root();

  /**
   * A subfolder of {@code parent} is about to be opened.
   *
   * @return its state, or empty to leave it (and everything below it) alone
   */
  Optional<F> enter(F parent, String name);

  /** A regular file directly in {@code folder}. The entry is valid only during this call. */
  void file(F folder, FileEntry file);

  /** A symbolic link, or a FIFO, socket, device or junction: never followed or opened. */
  void notFollowed(F folder, String name, EntryType type);

  /**
   * Something could not be read: a subfolder that could not be opened (its name is given),
   * or {@code folder}'s own listing, which failed part way ({@code name} is empty).
   */
  void unreadable(F folder, String name);

  /**
   * Every entry of {@code folder} has been seen (its subfolders are walked next).
   *
   * @param complete false when the listing failed part way or the walk was stopped
   */
  void listed(F folder, boolean complete);

  /** Whether to stop walking (the scan was interrupted). Asked between entries. */
  boolean stopRequested();

  /**
   * Whether the visitor wants each folder's kernel identity in {@link #opened} (two system
   * calls per folder: {@code fstatfs}, {@code name_to_handle_at} and {@code statx}).
   */
  default boolean wantsFolderIdentity() {
    return false;
  }

  /**
   * {@code folder} was opened and is about to be listed.
   *
   * @param identity the folder's identity as a change journal names it, when asked for and
   *     the file system has one
   * @return the names of its subfolders (bytes, as a listing gave them) to skip listing it:
   *     then none of its entries is visited, {@link #listed} is not called, and the walk goes
   *     on into those subfolders. Names that no listing could hold (empty, {@code .},
   *     {@code ..}, with {@code /} or NUL) make the walker list the folder after all.
   */
  default Optional<List<byte[]>> opened(F folder, Optional<FolderId> identity) {
    return Optional.empty();
  }

  /** The subfolders {@code folder}'s listing held (bytes as listed); called just before {@link #listed}. */
  default void subfolders(F folder, List<byte[]> names) {}
}
