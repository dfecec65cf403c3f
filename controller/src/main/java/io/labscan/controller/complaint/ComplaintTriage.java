package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.triage.Candidate;
import io.labscan.controller.triage.ComplaintParser;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.Origin;
import io.labscan.controller.triage.ParsedComplaint;
import io.labscan.controller.triage.Triage;
import io.labscan.controller.triage.TriageOptions;
import io.labscan.controller.triage.TriageResult;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.controller.verdict.VerdictService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Complaint triage against this controller's store, for the CLI and the web UI alike: parse
 * the messages, rank hosts, and record the answer as evidence for verdicts.
 *
 * <p>Trust is the union of the configured entries given here ({@code --trust}), the Settings
 * page's entries (table {@code trusted_mtas}, read at every parse) and what the fleet teaches
 * (hosts with the mail-server role; LabScan hosts are not MTAs). An answer is recorded only
 * when {@link TriageResult#recordable()}: its origin rests on a line an MTA of ours wrote.
 */
public final class ComplaintTriage {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ComplaintTriage.class);
  /** Candidates from this confidence on are recorded as evidence against the host. */
  public static final double RECORD_THRESHOLD = io.labscan.controller.verdict.Vocabulary.COMPLAINT_THRESHOLD;

  private final Storage store;
  private final VerdictService verdicts;
  private final TrustConfig trust;
  private final Clock clock;
  private final TriageOptions options;

  public ComplaintTriage(Storage store, VerdictService verdicts, TrustConfig trust, Clock clock) {
    this(store, verdicts, trust, clock, TriageOptions.defaults());
  }

  public ComplaintTriage(Storage store, VerdictService verdicts, TrustConfig trust, Clock clock,
      TriageOptions options) {
    this.options = requireNonNull(options, "options");
    this.store = requireNonNull(store, "store");
    this.verdicts = requireNonNull(verdicts, "verdicts");
    this.trust = requireNonNull(trust, "trust");
    this.clock = requireNonNull(clock, "clock");
  }

  /** One complaint as given, parsed, with the id it is recorded under. */
  public record Complaint(ParsedComplaint parsed, String id) {}

  /** Parses one message; the id is its Message-ID, or the SHA-256 of the bytes. */
  public Complaint parse(byte[] message) throws NotAMailMessageException {
    ParsedComplaint parsed = ComplaintParser.parse(message, effectiveTrust());
    return new Complaint(parsed, parsed.messageId().orElse("sha256:" + sha256(message)));
  }

  /** --trust, the Settings page's entries and the fleet's learned trust, as of now. */
  TrustConfig effectiveTrust() {
    io.labscan.controller.triage.TriageEvidence evidence = evidence();
    List<String> stored = new ArrayList<>();
    for (String entry : evidence.configuredTrust()) {
      try {
        stored.add(TrustConfig.checkEntry(entry));
      } catch (IllegalArgumentException e) {
        // Entries are checked when added; one edited in the database by hand must not stop triage.
        log.warn("Ignoring trusted MTA entry from the database: {}", e.getMessage());
      }
    }
    return trust.withEntries(stored).withFleet(evidence);
  }

  private io.labscan.controller.triage.TriageEvidence evidence() {
    return store.triageEvidence(PolicyProvider.keyId(store.secret(PolicyProvider.FLEET_KEY)));
  }

  /**
   * What triage answered and what became of it.
   *
   * @param complaintId the id the answer is (or would be) recorded under
   * @param recorded whether candidates were recorded as evidence now
   * @param note what happened about recording, in words
   * @param recordedHosts the hosts recorded against
   */
  public record Outcome(TriageResult result, String complaintId, boolean recorded, String note,
      List<String> recordedHosts) {}

  /**
   * Triages the complaints together (several about one outbreak give a stronger answer).
   *
   * @param record whether the candidates become evidence for verdicts
   */
  public TriageResult triage(List<Complaint> complaints, boolean record) {
    return triage(complaints, record, "cli").result();
  }

  /**
   * Triages the complaints together and, when asked and {@linkplain TriageResult#recordable()
   * recordable}, records candidates from {@value #RECORD_THRESHOLD} on as evidence.
   *
   * @param recordedBy who asked for the recording (a web user, or "cli")
   */
  public Outcome triage(List<Complaint> complaints, boolean record, String recordedBy) {
    requireNonNull(complaints, "complaints");
    requireNonNull(recordedBy, "recordedBy");
    byte[] fleetKey = store.secret(PolicyProvider.FLEET_KEY);
    Triage triage = new Triage(store.triageEvidence(PolicyProvider.keyId(fleetKey), options.holdingGrace()), fleetKey, options);
    List<ParsedComplaint> parsed = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (Complaint c : complaints) {
      parsed.add(c.parsed());
      ids.add(c.id());
    }
    TriageResult result = triage.triage(parsed);
    String complaintIds = String.join(",", ids);
    String complaintId = complaintIds.length() > 512
        ? "sha256:" + sha256(complaintIds.getBytes(StandardCharsets.UTF_8)) : complaintIds;
    if (!record) {
      return new Outcome(result, complaintId, false, "not recorded (not asked to)", List.of());
    }
    if (!result.recordable()) {
      return new Outcome(result, complaintId, false, "not recorded as evidence: " + result.recordableBecause(),
          List.of());
    }
    List<String> hosts = record(complaintId, result, recordedBy);
    boolean addressBookOnly = result.candidates().stream()
        .anyMatch(c -> c.confidence() >= RECORD_THRESHOLD && !c.networkEvidence());
    return new Outcome(result, complaintId, !hosts.isEmpty(), hosts.isEmpty()
        ? (addressBookOnly
            ? "nothing recorded: no candidate tied to the traced origin reaches confidence " + RECORD_THRESHOLD
                + " (a candidate resting on the address book alone, or on an address holding assumed before the"
                + " host first reported it, is never recorded)"
            : "nothing recorded: no candidate reaches confidence " + RECORD_THRESHOLD)
        : "recorded as evidence against " + hosts.size() + " host(s) (" + result.recordableBecause() + ")", hosts);
  }

  /** This triage as the complaint mailbox watch runs it: one message, recorded when recordable. */
  public io.labscan.controller.complaint.MailTriage forMailboxes() {
    return new io.labscan.controller.complaint.MailTriage() {
      @Override
      public Answer triage(byte[] message, String recordedBy) throws NotAMailMessageException {
        Outcome o = ComplaintTriage.this.triage(List.of(parse(message)), true, recordedBy);
        return new Answer(o.result(), o.recorded(), o.note(), o.complaintId());
      }

      @Override
      public double recordThreshold() {
        return RECORD_THRESHOLD;
      }
    };
  }

  /** Who recorded this complaint's answer before, if anybody. */
  public Optional<TrustedMtas.Recording> recording(String complaintId) {
    return new TrustedMtas(store.database(), clock).recording(complaintId);
  }

  private List<String> record(String complaintId, TriageResult result, String recordedBy) {
    Optional<Origin> origin = result.origin();
    List<String> hosts = new ArrayList<>();
    for (Candidate c : result.candidates()) {
      // Only hosts the traced origin points at; the address book alone is the sender's choice.
      if (c.confidence() >= RECORD_THRESHOLD && c.networkEvidence()) {
        store.recordComplaintTrace(complaintId, c.hostId(), c.confidence(), clock.instant(),
            origin.map(Origin::ip).orElse(""), origin.map(Origin::time),
            c.reasons().isEmpty() ? "" : c.reasons().get(0)).join();
        hosts.add(c.hostId());
      }
    }
    if (!hosts.isEmpty()) {
      new TrustedMtas(store.database(), clock).recordedBy(complaintId, recordedBy);
      hosts.forEach(verdicts::recompute);
    }
    return hosts;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
