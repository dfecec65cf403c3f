package io.labscan.agent.checks.artifacts.walk;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;

/** A regular file met by the walk. Valid only during {@link WalkVisitor#file}. */
public interface FileEntry {

  /** Its name, for display and rule matching (see {@link FileNames#display}). */
  String name();

  /**
   * Its size, modification time and identity, read from the disk at the first call (the
   * walk itself does not need them, so a scan with name rules only never asks).
   */
  FileAttributes attributes() throws IOException;

  /** Its attributes as they are now (to check that a file did not change while read). */
  FileAttributes attributesNow() throws IOException;

  /**
   * Opens it for reading, without following a link put in its place since it was listed;
   * refuses (with an IOException) anything that is no longer a regular file.
   */
  ReadableByteChannel open() throws IOException;

  /**
   * Opens it for reading at any position, like {@link #open()}: no link put in its place is
   * followed, anything that is no longer a regular file is refused. The channel stays valid
   * after the walk has moved on; the caller closes it.
   */
  FileChannel openChannel() throws IOException;

  /**
   * Opens the regular file {@code name} in the same folder (e.g. an SQLite database's
   * {@code -wal}) the same way: relative to the folder the walk holds open, no link
   * followed.
   *
   * @throws IOException when there is no such regular file
   */
  FileChannel openSibling(String name) throws IOException;
}
