package io.labscan.agent.checks.artifacts.walk;

import static java.util.Objects.requireNonNull;

/**
 * What the digest cache compares to decide that a file is unchanged.
 *
 * @param fileId the file's identity on its device ({@code (dev=…,ino=…)} on Unix, the format
 *     of the JDK's own file key, so that both walkers agree); empty where there is none
 * @param ctimeNanos the inode's change time ({@code st_ctime}), which no one can set back; 0
 *     where the walker does not read it
 * @param inode the inode number (0 where the walker does not read it)
 * @param links how many names the file has ({@code st_nlink}); 0 where the walker does not
 *     know. A file with several names can change through a name in another folder, so a
 *     change journal cannot vouch for its folder.
 */
public record FileAttributes(long size, long mtimeNanos, String fileId, long links, long ctimeNanos, long inode) {
  public FileAttributes {
    requireNonNull(fileId, "fileId");
  }

  /** Attributes without a link count or change time (the portable walker does not read them). */
  public FileAttributes(long size, long mtimeNanos, String fileId) {
    this(size, mtimeNanos, fileId, 0, 0, 0);
  }
}
