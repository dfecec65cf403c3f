package io.labscan.agent.checks.artifacts.walk;

import java.io.IOException;
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
}
