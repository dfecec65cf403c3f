package io.labscan.controller.complaint;

import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.TriageResult;

/**
 * The triage the mailbox watch runs on each message: the controller's {@code ComplaintTriage}
 * (the one the CLI and the web UI use), parsing the message and recording the answer as
 * evidence when it is recordable. A seam so that this package does not depend on the
 * composition root that builds it.
 */
public interface MailTriage {
  /** What triage answered and what became of recording it. */
  record Answer(TriageResult result, boolean recorded, String note, String complaintId) {}

  /**
   * Parses and triages one message, recording the answer (as {@code recordedBy}) when recordable.
   *
   * @throws NotAMailMessageException when the bytes are not a mail message
   */
  Answer triage(byte[] message, String recordedBy) throws NotAMailMessageException;

  /** Candidates from this confidence on are recorded, and named (alerts). */
  double recordThreshold();
}
