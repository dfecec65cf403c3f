package io.labscan.agent.checks.mail;

/** Receives the files of a profile walk. Implementations handle their own read errors. */
@FunctionalInterface
public interface ProfileFileVisitor {

  /**
   * Handles one file.
   *
   * @throws InterruptedException to stop the walk (it then ends with the same exception)
   */
  void visit(ProfileFile file) throws InterruptedException;
}
