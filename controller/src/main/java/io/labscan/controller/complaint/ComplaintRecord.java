package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One complaint from a watched mailbox and what triage answered, as stored (table {@code
 * complaint_messages}). Subject and From are the message's claims, sanitised ({@link MailText}).
 *
 * @param seq the complaint's number ({@code /api/v1/complaints/{seq}}); 0 before it is stored
 * @param messageKey the Message-ID, or {@code sha256:} of the bytes, or '' (oversized)
 * @param receivedAt when the mailbox received it (IMAP INTERNALDATE)
 * @param detail why it was not triaged (size, not mail, the error) or ''
 * @param summary triage's one-sentence answer, or ''
 * @param hostId the top candidate (confidence 0.5 or more) or ''
 * @param confidence that candidate's confidence
 * @param recordable whether the answer may become evidence (its origin rests on an MTA of ours)
 * @param recorded whether it was recorded as evidence now
 * @param evidenceNote what happened about recording, in words
 * @param complaintId the id the answer is recorded under ({@code complaint_traces.complaint_id})
 * @param resultJson the whole triage result (JSON), or ''
 */
public record ComplaintRecord(long seq, String mailbox, String messageKey, Instant receivedAt, Instant handledAt,
    String subject, String from, long sizeBytes, Outcome outcome, String detail, String summary, String originIp,
    String hostId, String hostname, OptionalDouble confidence, boolean recordable, boolean recorded,
    String evidenceNote, String complaintId, String resultJson) {
  public ComplaintRecord {
    requireNonNull(mailbox, "mailbox");
    requireNonNull(messageKey, "messageKey");
    requireNonNull(receivedAt, "receivedAt");
    requireNonNull(handledAt, "handledAt");
    requireNonNull(subject, "subject");
    requireNonNull(from, "from");
    requireNonNull(outcome, "outcome");
    requireNonNull(detail, "detail");
    requireNonNull(summary, "summary");
    requireNonNull(originIp, "originIp");
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    requireNonNull(confidence, "confidence");
    requireNonNull(evidenceNote, "evidenceNote");
    requireNonNull(complaintId, "complaintId");
    requireNonNull(resultJson, "resultJson");
  }

  /** The named host, if triage named one. */
  public Optional<String> host() {
    return hostId.isEmpty() ? Optional.empty() : Optional.of(hostId);
  }

  ComplaintRecord withSeq(long s) {
    return new ComplaintRecord(s, mailbox, messageKey, receivedAt, handledAt, subject, from, sizeBytes, outcome,
        detail, summary, originIp, hostId, hostname, confidence, recordable, recorded, evidenceNote, complaintId,
        resultJson);
  }
}
