package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.store.ComplaintTraces;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.triage.Candidate;
import io.labscan.controller.triage.ComplaintParser;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.Origin;
import io.labscan.controller.triage.ParsedComplaint;
import io.labscan.controller.triage.SameConnection;
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

  /**
   * One complaint as given, parsed, with the id it is recorded under (shown, and the contract
   * field {@code complaintId}) and its key (which recorded answer it replaces).
   *
   * @param key {@link #complaintKey} of the message bytes; "" when unknown (then the id is the key)
   */
  public record Complaint(ParsedComplaint parsed, String id, String key) {
    public Complaint(ParsedComplaint parsed, String id) {
      this(parsed, id, "");
    }
  }

  /** Parses one message; the id is its Message-ID, or the SHA-256 of the bytes. */
  public Complaint parse(byte[] message) throws NotAMailMessageException {
    ParsedComplaint parsed = ComplaintParser.parse(message, effectiveTrust());
    return new Complaint(parsed, parsed.messageId().orElse("sha256:" + sha256(message)), complaintKey(message));
  }

  /**
   * The key a complaint's recorded answer is kept under: the SHA-256 of the message with line
   * ends made LF, trailing blanks of each line and blank lines at either end dropped.
   *
   * <p>Why not the Message-ID (the {@code complaintId}): the sender chooses it, so two different
   * worm mails with one Message-ID would share one recorded answer, and re-recording one would
   * withdraw the other's trace. The bytes of the stored message are what was triaged; the same
   * message saved as .eml (CRLF) or pasted (LF, trailing blanks lost) keeps its key. A different
   * copy of one mail (another recipient's, with its own Received: lines) is another complaint.
   */
  public static String complaintKey(byte[] message) {
    requireNonNull(message, "message");
    String text = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace('\r', '\n');
    StringBuilder b = new StringBuilder(text.length());
    for (String line : text.split("\n", -1)) {
      b.append(line.stripTrailing()).append('\n');
    }
    return "msg-sha256:" + sha256(b.toString().strip().getBytes(StandardCharsets.ISO_8859_1));
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
    // The configured holding grace, as triage's own evidence (red-team round 8, T7): learned trust reads holdings too.
    return store.triageEvidence(PolicyProvider.keyId(store.secret(PolicyProvider.FLEET_KEY)), options.holdingGrace(),
        clock);
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
      List<String> recordedHosts, List<String> warnings) {
    public Outcome(TriageResult result, String complaintId, boolean recorded, String note, List<String> recordedHosts) {
      this(result, complaintId, recorded, note, recordedHosts, List.of());
    }
  }

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
    Triage triage = new Triage(store.triageEvidence(PolicyProvider.keyId(fleetKey), options.holdingGrace(), clock), fleetKey, options,
        effectiveTrust());
    List<ParsedComplaint> parsed = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Complaint c : complaints) {
      parsed.add(c.parsed());
      ids.add(c.id());
      keys.add(c.key().isEmpty() ? "id:" + c.id() : c.key());
    }
    TriageResult result = triage.triage(parsed);
    String complaintIds = String.join(",", ids);
    String complaintId = complaintIds.length() > 512
        ? "sha256:" + sha256(complaintIds.getBytes(StandardCharsets.UTF_8)) : complaintIds;
    // One message: its own key; a batch (answered together) is one computation: the digest of its keys.
    keys.sort(null);
    String complaintKey = keys.size() == 1 && !keys.get(0).startsWith("id:") ? keys.get(0)
        : keys.stream().allMatch(k -> k.startsWith("id:")) ? ""
        : "batch-sha256:" + sha256(String.join(",", keys).getBytes(StandardCharsets.UTF_8));
    if (!record) {
      return new Outcome(result, complaintId, false, "not recorded (not asked to)", List.of(),
          disagreement(complaintId, complaintKey, result));
    }
    if (!result.recordable()) {
      return new Outcome(result, complaintId, false, "not recorded as evidence: " + result.recordableBecause(),
          List.of(), disagreement(complaintId, complaintKey, result));
    }
    List<String> warnings = new ArrayList<>();
    List<String> hosts = record(complaintId, complaintKey, result, recordedBy, warnings);
    boolean addressBookOnly = result.candidates().stream()
        .anyMatch(c -> c.confidence() >= RECORD_THRESHOLD && !c.recordable(RECORD_THRESHOLD));
    return new Outcome(result, complaintId, !hosts.isEmpty(), hosts.isEmpty()
        ? (addressBookOnly
            ? "nothing recorded: no candidate's network evidence reaches confidence " + RECORD_THRESHOLD
                + " (a candidate resting on the address book alone, or on an address holding assumed before the"
                + " host first reported it, is never recorded; nor is one the address book lifts over the threshold"
                + " from evidence capped below it)"
            : "nothing recorded: no candidate reaches confidence " + RECORD_THRESHOLD)
        : "recorded as evidence against " + hosts.size() + " host(s) (" + result.recordableBecause() + ")", hosts,
        List.copyOf(warnings));
  }

  /**
   * The hosts this answer would record against: network confidence from the threshold on
   * ({@link Candidate#recordable}; the address book never carries a candidate over it).
   */
  private static List<String> recordableHosts(TriageResult result) {
    List<String> out = new ArrayList<>();
    for (Candidate c : result.candidates()) {
      if (c.recordable(RECORD_THRESHOLD)) {
        out.add(c.hostId());
      }
    }
    return out;
  }

  /**
   * An answer that is not recorded withdraws nothing (only a recorded answer replaces a recorded
   * one), but when this complaint is on record against a host this answer does not name, the
   * operator is told: the two disagree, and the recorded one still counts.
   */
  private List<String> disagreement(String complaintId, String complaintKey, TriageResult result) {
    List<String> now = recordableHosts(result);
    List<String> out = new ArrayList<>();
    for (ComplaintTraces.Trace t : new ComplaintTraces(store.database()).of(complaintId, complaintKey)) {
      if (!now.contains(t.hostId())) {
        out.add("this complaint is recorded against " + named(t.hostId()) + " (on " + t.tracedAt() + ", by "
            + (t.recordedBy().isEmpty() ? "(unknown)" : t.recordedBy()) + ") and this answer disagrees; that trace "
            + "still counts: record this answer to replace it, or withdraw it (labscan-controller complaint "
            + "withdraw " + complaintId + ")");
      }
    }
    return out;
  }

  /** This triage as the complaint mailbox watch runs it: one message, recorded when recordable. */
  public io.labscan.controller.complaint.MailTriage forMailboxes() {
    return new io.labscan.controller.complaint.MailTriage() {
      @Override
      public Answer triage(byte[] message, String recordedBy) throws NotAMailMessageException {
        Outcome o = ComplaintTriage.this.triage(List.of(parse(message)), true, recordedBy);
        // The mailbox path records by the same rule; what it superseded is said in its note.
        String note = o.warnings().isEmpty() ? o.note() : o.note() + "; " + String.join("; ", o.warnings());
        return new Answer(o.result(), o.recorded(), note, o.complaintId());
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

  /**
   * Records the answer as this complaint's one recorded answer: its earlier traces (recorded by
   * an earlier triage of the same message) are superseded, kept in the history, and the verdicts
   * of every host involved, blamed before or now, are recomputed. A recordable answer that now
   * names nobody from the threshold on also supersedes: the redone computation's answer is
   * "nobody", and the old one must not outlive it.
   */
  private List<String> record(String complaintId, String complaintKey, TriageResult result, String recordedBy,
      List<String> warnings) {
    Optional<Origin> origin = result.origin();
    // The MTA whose trusted line gives the origin: a verdict looks for the host's own connection to it.
    List<String> recordingMta = result.complaints().stream().filter(s -> s.origin().isPresent()).findFirst()
        .map(s -> SameConnection.recordingMta(s.hops(), s.origin().orElseThrow())).orElse(List.of());
    List<ComplaintTraces.NewTrace> traces = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    for (Candidate c : result.candidates()) {
      // Only hosts the traced origin points at by network evidence alone (Candidate#recordable):
      // the address book is the sender's choice and never lifts a candidate over the threshold.
      if (c.recordable(RECORD_THRESHOLD)) {
        traces.add(new ComplaintTraces.NewTrace(c.hostId(), c.confidence(), origin.map(Origin::ip).orElse(""),
            origin.map(Origin::time), c.reasons().isEmpty() ? "" : c.reasons().get(0), recordingMta));
        hosts.add(c.hostId());
      }
    }
    List<ComplaintTraces.Trace> superseded = new ComplaintTraces(store.database())
        .replace(complaintId, complaintKey, traces, clock.instant(), recordedBy);
    java.util.Set<String> affected = new java.util.LinkedHashSet<>(hosts);
    for (ComplaintTraces.Trace t : superseded) {
      affected.add(t.hostId());
      if (!hosts.contains(t.hostId())) {
        warnings.add("this complaint was recorded against " + named(t.hostId()) + " on " + t.tracedAt() + " (by "
            + (t.recordedBy().isEmpty() ? "(unknown)" : t.recordedBy()) + "); that trace is withdrawn, "
            + "superseded by this triage, and its verdict recomputed");
      }
    }
    affected.forEach(verdicts::recompute);
    return hosts;
  }

  /**
   * Withdraws this complaint's recorded traces (one host's, when given) on {@code user}'s word:
   * kept in the history as withdrawn, the hosts' verdicts recomputed.
   *
   * @return the hosts whose trace was withdrawn (empty when none was recorded)
   */
  public List<String> withdraw(String complaintId, Optional<String> hostId, String user, String reason) {
    requireNonNull(complaintId, "complaintId");
    java.util.Set<String> hosts = new java.util.LinkedHashSet<>();
    new ComplaintTraces(store.database()).withdraw(complaintId, hostId, clock.instant(), user, reason)
        .forEach(t -> hosts.add(t.hostId()));
    hosts.forEach(verdicts::recompute);
    return List.copyOf(hosts);
  }

  /** "lab-pc-12 (host id)" for a warning; the id alone when the host is gone. */
  private String named(String hostId) {
    return store.host(hostId).map(h -> h.hostname() + " (" + hostId + ")").orElse(hostId);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
