package io.labscan.agent.checks.mail;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Opens one file the profile walk vetted, the one way the mail and harvest checks read
 * scanned files: through the folder the walk holds open, following no link (see
 * {@link ProfileWalker}). Valid only while the walk is in that folder, that is during
 * {@link ProfileFileVisitor#visit}; channels it opened stay valid until closed.
 */
public interface FileOpener {

  /** Opens the file for reading at any position. */
  FileChannel open() throws IOException;

  /**
   * Opens the regular file {@code name} beside it (an SQLite database's {@code -wal}) the same
   * way.
   *
   * @throws IOException when there is none
   */
  FileChannel openSibling(String name) throws IOException;
}
