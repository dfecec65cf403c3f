package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.triage.NotAMailMessageException;
import java.util.List;
import java.util.Optional;

/**
 * The Triage page's engine: the same complaint triage as the {@code triage} command. Tracing
 * never records; recording is a separate request an admin makes ("Record as evidence"), which
 * triages the message again and records only a {@linkplain
 * io.labscan.controller.triage.TriageResult#recordable() recordable} answer, keeping who did it.
 */
public final class EngineTriageRunner implements TriageRunner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ComplaintTriage triage;

  public EngineTriageRunner(ComplaintTriage triage) {
    this.triage = requireNonNull(triage, "triage");
  }

  private ComplaintTriage.Complaint parse(byte[] message) throws NotAMailMessage {
    try {
      return triage.parse(message);
    } catch (NotAMailMessageException e) {
      throw new NotAMailMessage(e.getMessage());
    }
  }

  @Override
  public JsonNode triage(byte[] message) throws NotAMailMessage {
    return JSON.valueToTree(triage.triage(List.of(parse(message)), false, "web").result());
  }

  @Override
  public JsonNode answer(byte[] message) throws NotAMailMessage {
    ComplaintTriage.Outcome outcome = triage.triage(List.of(parse(message)), false, "web");
    return response(outcome);
  }

  @Override
  public JsonNode record(byte[] message, String user) throws NotAMailMessage, NotRecordable {
    requireNonNull(user, "user");
    ComplaintTriage.Complaint complaint = parse(message);
    ComplaintTriage.Outcome outcome = triage.triage(List.of(complaint), true, user);
    if (!outcome.result().recordable()) {
      throw new NotRecordable(outcome.result().recordableBecause());
    }
    ObjectNode o = response(outcome);
    o.put("note", outcome.note());
    return o;
  }

  @Override
  public JsonNode withdraw(String complaintId, Optional<String> hostId, String user, String reason) {
    ObjectNode o = JSON.createObjectNode();
    o.put("complaintId", complaintId);
    ArrayNode hosts = o.putArray("withdrawn");
    triage.withdraw(complaintId, hostId, user, reason).forEach(hosts::add);
    return o;
  }

  private ObjectNode response(ComplaintTriage.Outcome outcome) {
    ObjectNode o = JSON.createObjectNode();
    o.set("result", JSON.valueToTree(outcome.result()));
    o.put("complaintId", outcome.complaintId());
    ArrayNode warnings = o.putArray("recordWarnings");
    outcome.warnings().forEach(warnings::add);
    Optional<TrustedMtas.Recording> recording = triage.recording(outcome.complaintId());
    if (recording.isPresent()) {
      ObjectNode r = o.putObject("recorded");
      r.put("by", recording.get().recordedBy());
      r.put("at", recording.get().at().toString());
      ArrayNode hosts = r.putArray("hostIds");
      recording.get().hostIds().forEach(hosts::add);
    } else {
      o.putNull("recorded");
    }
    return o;
  }
}
