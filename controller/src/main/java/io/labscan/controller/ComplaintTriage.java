package io.labscan.controller;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.grpc.PolicyProvider;
import io.labscan.controller.store.SqliteStore;
import io.labscan.controller.store.SqliteTriageEvidence;
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
 */
public final class ComplaintTriage {
  /** Candidates from this confidence on are recorded as evidence against the host. */
  public static final double RECORD_THRESHOLD = 0.5;

  private final SqliteStore store;
  private final VerdictService verdicts;
  private final TrustConfig trust;
  private final Clock clock;
  private final TriageOptions options;

  public ComplaintTriage(SqliteStore store, VerdictService verdicts, TrustConfig trust, Clock clock) {
    this(store, verdicts, trust, clock, TriageOptions.defaults());
  }

  public ComplaintTriage(SqliteStore store, VerdictService verdicts, TrustConfig trust, Clock clock,
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
    ParsedComplaint parsed = ComplaintParser.parse(message, trust);
    return new Complaint(parsed, parsed.messageId().orElse("sha256:" + sha256(message)));
  }

  /**
   * Triages the complaints together (several about one outbreak give a stronger answer).
   *
   * @param record whether the candidates become evidence for verdicts
   */
  public TriageResult triage(List<Complaint> complaints, boolean record) {
    requireNonNull(complaints, "complaints");
    byte[] fleetKey = store.secret(PolicyProvider.FLEET_KEY);
    Triage triage = new Triage(new SqliteTriageEvidence(store, PolicyProvider.keyId(fleetKey), options.holdingGrace()), fleetKey, options);
    List<ParsedComplaint> parsed = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (Complaint c : complaints) {
      parsed.add(c.parsed());
      ids.add(c.id());
    }
    TriageResult result = triage.triage(parsed);
    if (record) {
      record(String.join(",", ids), result);
    }
    return result;
  }

  private void record(String complaintIds, TriageResult result) {
    String complaintId = complaintIds.length() > 512
        ? "sha256:" + sha256(complaintIds.getBytes(StandardCharsets.UTF_8)) : complaintIds;
    Optional<Origin> origin = result.origin();
    for (Candidate c : result.candidates()) {
      if (c.confidence() >= RECORD_THRESHOLD) {
        store.recordComplaintTrace(complaintId, c.hostId(), c.confidence(), clock.instant(),
            origin.map(Origin::ip).orElse(""), origin.map(Origin::time),
            c.reasons().isEmpty() ? "" : c.reasons().get(0)).join();
        verdicts.recompute(c.hostId());
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
