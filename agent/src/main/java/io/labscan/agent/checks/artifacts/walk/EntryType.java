package io.labscan.agent.checks.artifacts.walk;

/** What a directory entry is, as far as the walk cares. */
public enum EntryType {
  FILE,
  DIRECTORY,
  SYMLINK,
  /** FIFO, socket, character or block device, Windows junction: never opened. */
  SPECIAL
}
