package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

import java.util.function.Consumer;

/**
 * The journal as a scan worker sees it: the snapshot the daemon took when it started the
 * worker, and a way to tell the daemon the walk completed under it (the daemon then drops the
 * changes it covered). The worker runs one scan, so every checkpoint is that snapshot.
 */
public final class HandedOverJournal implements ChangeJournal {
  private final JournalSnapshot snapshot;
  private final Consumer<JournalSnapshot> onCompleted;

  /** @param onCompleted tells the daemon (writes the completion file) */
  public HandedOverJournal(JournalSnapshot snapshot, Consumer<JournalSnapshot> onCompleted) {
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.onCompleted = requireNonNull(onCompleted, "onCompleted");
  }

  @Override
  public String name() {
    return "handed-over";
  }

  @Override
  public JournalSnapshot checkpoint() {
    return snapshot;
  }

  @Override
  public void completed(JournalSnapshot scanStart) {
    requireNonNull(scanStart, "scanStart");
    if (scanStart.equals(snapshot)) {
      onCompleted.accept(scanStart);
    }
  }

  @Override
  public void close() {}
}
