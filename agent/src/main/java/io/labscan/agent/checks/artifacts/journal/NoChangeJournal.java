package io.labscan.agent.checks.artifacts.journal;

import static java.util.Objects.requireNonNull;

/** No journal here (or not allowed): every scan lists every folder. */
public final class NoChangeJournal implements ChangeJournal {
  private final String reason;

  public NoChangeJournal(String reason) {
    this.reason = requireNonNull(reason, "reason");
  }

  /** Why there is no journal. */
  public String reason() {
    return reason;
  }

  @Override
  public String name() {
    return "none";
  }

  @Override
  public JournalSnapshot checkpoint() {
    return JournalSnapshot.none(reason);
  }

  @Override
  public void completed(JournalSnapshot scanStart) {
    requireNonNull(scanStart, "scanStart");
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "NoChangeJournal[" + reason + "]";
  }
}
