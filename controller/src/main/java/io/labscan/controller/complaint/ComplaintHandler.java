package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.alert.Alert;
import io.labscan.controller.triage.Candidate;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.Origin;
import io.labscan.controller.triage.TriageResult;
import io.labscan.controller.verdict.Verdict;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triages one message from a watched mailbox exactly as {@code labscan-controller triage FILE}
 * does: the same {@code ComplaintTriage}, through {@link MailTriage} (the {@code serve --trust} entries, the Settings page's
 * MTAs, the fleet's mail servers), and the answer is recorded as evidence for verdicts only when
 * {@linkplain TriageResult#recordable() recordable} — its origin rests on a Received: line an MTA
 * of ours wrote. A forward is traced through the message it carries and so is never recordable;
 * it still names a host, shows on the Complaints page and may raise an alert.
 *
 * <p>Nothing here touches IMAP: {@link MailboxWatcher} fetches, this decides, the watcher stores
 * and moves. A message larger than the limit arrives without its bytes and is not triaged;
 * bytes that are not a mail message are "not a complaint"; anything triage throws is "failed"
 * with the error, so one bad message never stops the watch.
 */
public final class ComplaintHandler {
  private static final Logger log = LoggerFactory.getLogger(ComplaintHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_SUBJECT = 300;
  static final int MAX_FROM = 300;
  static final int MAX_KEY = 998;
  static final int MAX_DETAIL = 1000;

  /**
   * One message as the mailbox gave it.
   *
   * @param bytes the whole message; empty when it was larger than the limit and not downloaded
   */
  public record Message(String mailbox, Instant receivedAt, long sizeBytes, String subject, String from,
      Optional<String> messageId, Optional<byte[]> bytes) {
    public Message {
      requireNonNull(mailbox, "mailbox");
      requireNonNull(receivedAt, "receivedAt");
      requireNonNull(subject, "subject");
      requireNonNull(from, "from");
      requireNonNull(messageId, "messageId");
      requireNonNull(bytes, "bytes");
    }

    /** Message-ID, else the SHA-256 of the bytes, else '' (an oversized message without a Message-ID). */
    public String key() {
      Optional<String> id = messageId.map(String::strip).filter(s -> !s.isEmpty());
      if (id.isPresent()) {
        return MailText.clean(id.get(), MAX_KEY);
      }
      return bytes.map(b -> "sha256:" + sha256(b)).orElse("");
    }
  }

  private final MailTriage triage;
  private final Function<String, Optional<Verdict>> verdicts;
  private final Consumer<Alert> alerts;
  private final Clock clock;
  private final long maxBytes;

  /**
   * @param verdicts a host's current verdict (for the alert)
   * @param alerts where an alert goes (the dashboard's dispatcher)
   */
  public ComplaintHandler(MailTriage triage, Function<String, Optional<Verdict>> verdicts, Consumer<Alert> alerts,
      Clock clock, long maxBytes) {
    this.triage = requireNonNull(triage, "triage");
    this.verdicts = requireNonNull(verdicts, "verdicts");
    this.alerts = requireNonNull(alerts, "alerts");
    this.clock = requireNonNull(clock, "clock");
    this.maxBytes = maxBytes;
  }

  /** Triages the message (recording evidence when recordable) and says what became of it; never throws. */
  public ComplaintRecord handle(Message m) {
    requireNonNull(m, "m");
    String subject = MailText.clean(m.subject(), MAX_SUBJECT);
    String from = MailText.clean(m.from(), MAX_FROM);
    Instant now = clock.instant();
    if (m.bytes().isEmpty() || m.sizeBytes() > maxBytes || m.bytes().get().length > maxBytes) {
      long size = Math.max(m.sizeBytes(), m.bytes().map(b -> (long) b.length).orElse(0L));
      return plain(m, now, subject, from, size, Outcome.NOT_A_COMPLAINT, "not triaged: the message is " + size
          + " bytes, larger than the limit of " + maxBytes + " bytes (--complaint-max-bytes)");
    }
    byte[] bytes = m.bytes().get();
    try {
      MailTriage.Answer outcome;
      try {
        outcome = triage.triage(bytes, "mailbox " + m.mailbox());
      } catch (NotAMailMessageException e) {
        return plain(m, now, subject, from, bytes.length, Outcome.NOT_A_COMPLAINT,
            "not triaged: " + MailText.clean(e.getMessage(), MAX_DETAIL));
      }
      TriageResult result = outcome.result();
      Optional<Candidate> top = result.candidates().stream().findFirst();
      String json;
      try {
        json = JSON.writeValueAsString(result);
      } catch (JsonProcessingException e) {
        json = "";
      }
      return new ComplaintRecord(0, m.mailbox(), m.key(), m.receivedAt(), now, subject, from, bytes.length,
          result.origin().isPresent() ? Outcome.TRIAGED : Outcome.NO_ORIGIN, "", result.summary(),
          result.origin().map(Origin::ip).orElse(""), top.map(Candidate::hostId).orElse(""),
          top.map(c -> MailText.clean(c.hostname(), 80)).orElse(""),
          top.map(c -> OptionalDouble.of(c.confidence())).orElse(OptionalDouble.empty()), result.recordable(),
          outcome.recorded(), outcome.note(), outcome.complaintId(), json);
    } catch (RuntimeException | StackOverflowError e) {
      log.warn("Complaint from {} (subject '{}') failed in triage", m.mailbox(), subject, e);
      return plain(m, now, subject, from, bytes.length, Outcome.FAILED,
          "triage failed: " + MailText.clean(e.getClass().getSimpleName() + ": " + e.getMessage(), MAX_DETAIL));
    }
  }

  /**
   * Raises the alert for a stored complaint when it names a host (network confidence at least the
   * recording threshold, 0.5) that is not INFECTED now.
   */
  public void alertIfNeeded(ComplaintRecord c) {
    if (c.host().isEmpty() || networkConfidence(c) < triage.recordThreshold()) {
      return;
    }
    Verdict current = verdicts.apply(c.hostId()).orElse(Verdict.UNKNOWN);
    if (current == Verdict.INFECTED) {
      return;
    }
    alerts.accept(Alert.complaint(c.hostId(), c.hostname(), current, c.handledAt(), "complaint #" + c.seq()
        + " from mailbox " + c.mailbox() + " (" + (c.recordable() ? "recorded as evidence" : "unverified: not recorded")
        + "): " + c.summary()));
  }

  /**
   * The top candidate's network confidence ({@link Candidate#networkConfidence()}, issue 15,
   * red-team round 7, S5): like recording, the alert never rests on the address book, which
   * matches the addresses the sender chose against any colleague's mailbox. Read from the stored
   * result; its shown confidence when the result was not kept whole (larger than the log keeps).
   */
  static double networkConfidence(ComplaintRecord c) {
    double shown = c.confidence().orElse(0);
    if (c.resultJson().isEmpty()) {
      return shown;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode top = JSON.readTree(c.resultJson()).path("candidates").path(0);
      if (top.path("hostId").asText().equals(c.hostId()) && top.path("networkConfidence").isNumber()) {
        return Math.min(shown, top.path("networkConfidence").asDouble());
      }
    } catch (JsonProcessingException e) {
      // A summary kept instead of the result: fall back to the shown confidence.
    }
    return shown;
  }

  /** A message that could not be read from the mailbox: recorded as failed with the error. */
  public ComplaintRecord failed(Message m, String error) {
    return plain(m, clock.instant(), MailText.clean(m.subject(), MAX_SUBJECT), MailText.clean(m.from(), MAX_FROM),
        m.sizeBytes(), Outcome.FAILED, MailText.clean(error, MAX_DETAIL));
  }

  private static ComplaintRecord plain(Message m, Instant now, String subject, String from, long size, Outcome outcome,
      String detail) {
    return new ComplaintRecord(0, m.mailbox(), m.key(), m.receivedAt(), now, subject, from, size, outcome, detail, "",
        "", "", "", OptionalDouble.empty(), false, false, "", "", "");
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
