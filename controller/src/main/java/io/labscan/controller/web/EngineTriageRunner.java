package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.ComplaintTriage;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.TriageResult;
import java.util.List;

/** The Triage page's engine: the same complaint triage as the {@code triage} command. */
public final class EngineTriageRunner implements TriageRunner {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ComplaintTriage triage;

  public EngineTriageRunner(ComplaintTriage triage) {
    this.triage = requireNonNull(triage, "triage");
  }

  @Override
  public JsonNode triage(byte[] message) throws NotAMailMessage {
    ComplaintTriage.Complaint complaint;
    try {
      complaint = triage.parse(message);
    } catch (NotAMailMessageException e) {
      throw new NotAMailMessage(e.getMessage());
    }
    TriageResult result = triage.triage(List.of(complaint), true);
    return JSON.valueToTree(result);
  }
}
