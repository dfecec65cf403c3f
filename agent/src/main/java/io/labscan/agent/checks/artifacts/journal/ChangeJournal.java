package io.labscan.agent.checks.artifacts.journal;

/**
 * Records which folders changed between scans, so a rescan can reuse the previous outcome
 * of a folder that did not change instead of listing it and looking at every file. One
 * implementation per platform ({@link ChangeJournals} picks); {@link NoChangeJournal} where
 * there is none, which makes every scan the full walk-and-compare.
 *
 * <p>It lives as long as the agent service: a journal that was not running for a while
 * starts a new epoch and trusts nothing from before.
 */
public interface ChangeJournal extends AutoCloseable {

  /** A short name for logs ({@code fanotify}, {@code none}). */
  String name();

  /**
   * Reads every change already queued and returns what the journal knows now; called when a
   * scan starts. Every change made before this call is in the snapshot.
   */
  JournalSnapshot checkpoint();

  /**
   * A scan that started at {@code scanStart} completed, and every folder outcome it stored
   * was recorded at that snapshot's position: changes recorded at or before it are no longer
   * needed. Not called for a scan that failed or was cancelled, so its changes are kept.
   */
  void completed(JournalSnapshot scanStart);

  /**
   * Runs {@code slowFactor} times slower (1: normal pace) where the journal has a pace to set:
   * the agent asks this while it is over its CPU budget (docs/reliability.md). Never loses a
   * change: only how often queued changes are read differs.
   */
  default void pace(int slowFactor) {}

  /** Stops watching. */
  @Override
  void close();
}
