package io.labscan.controller.complaint;

import java.util.Locale;

/** What became of one message from a watched mailbox; {@link #id()} is its name in JSON and metrics. */
public enum Outcome {
  /** Triage found the origin (the message moves to the "triaged" folder). */
  TRIAGED,
  /** A mail message, but triage found no origin (no Received: lines, a bounce without the original...). */
  NO_ORIGIN,
  /** Not a mail message, or larger than the size limit: not triaged. */
  NOT_A_COMPLAINT,
  /** Triage threw; the error is kept and the message stays in the watched folder. */
  FAILED;

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Outcome ofId(String id) {
    for (Outcome o : values()) {
      if (o.id().equals(id)) {
        return o;
      }
    }
    throw new IllegalArgumentException("unknown complaint outcome " + id);
  }
}
