package io.labscan.agent.checks.artifacts.walk;

import static java.util.Objects.requireNonNull;

/**
 * What the digest cache compares to decide that a file is unchanged.
 *
 * @param fileId the file's identity on its device ({@code (dev=…,ino=…)} on Unix, the format
 *     of the JDK's own file key, so that both walkers agree); empty where there is none
 */
public record FileAttributes(long size, long mtimeNanos, String fileId) {
  public FileAttributes {
    requireNonNull(fileId, "fileId");
  }
}
