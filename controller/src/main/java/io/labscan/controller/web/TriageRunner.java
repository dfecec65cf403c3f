package io.labscan.controller.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jspecify.annotations.Nullable;

/**
 * The seam between the Triage page and the complaint-triage engine: one complaint message
 * (raw RFC 5322 bytes, as pasted or uploaded) in, the engine's answer as JSON out. The
 * dashboard shows the answer's fields as text; it never interprets them as markup.
 */
@FunctionalInterface
public interface TriageRunner {
  /** Largest message the Triage page accepts. */
  int MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

  /** The engine's answer to one message; never records it as evidence. */
  JsonNode triage(byte[] message) throws NotAMailMessage;

  /**
   * The Triage page's response: {@code {"result": <answer>, "complaintId", "recorded"}}, where
   * {@code recorded} says who recorded this complaint as evidence and when (null: nobody yet).
   * Default: the answer alone, with no recording information.
   */
  default JsonNode answer(byte[] message) throws NotAMailMessage {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("result", triage(message));
    o.putNull("complaintId");
    o.putNull("recorded");
    return o;
  }

  /**
   * Triages the message again and records the answer as evidence for verdicts, as {@code user}:
   * the same shape as {@link #answer} plus {@code note}.
   *
   * @throws NotRecordable when the answer does not rest on a line an MTA of ours wrote
   */
  default JsonNode record(byte[] message, String user) throws NotAMailMessage, NotRecordable {
    throw new UnsupportedOperationException("recording triage answers is not available in this controller build");
  }

  /**
   * Withdraws the traces recorded for {@code complaintId} (against {@code hostId} only, when
   * given), as {@code user}: {@code {"complaintId", "withdrawn": [hostIds]}}; the traces are kept
   * in the complaint's history and the hosts' verdicts recomputed (docs/triage.md, "Recording").
   */
  default JsonNode withdraw(String complaintId, java.util.Optional<String> hostId, String user, String reason) {
    throw new UnsupportedOperationException("withdrawing triage answers is not available in this controller build");
  }

  /** The answer may not become evidence; the message says why. */
  final class NotRecordable extends Exception {
    private static final long serialVersionUID = 1L;

    public NotRecordable(String why) {
      super(why);
    }
  }

  /** The input is not a mail message the engine can read; the message says why. */
  final class NotAMailMessage extends Exception {
    private static final long serialVersionUID = 1L;

    public NotAMailMessage(@Nullable String why) {
      super(why);
    }
  }

  /** A runner for builds without the triage engine: every call says so. */
  static TriageRunner unavailable() {
    return message -> {
      throw new UnsupportedOperationException("complaint triage is not available in this controller build");
    };
  }
}
