package io.labscan.controller.web;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The seam between the Triage page and the complaint-triage engine: one complaint message
 * (raw RFC 5322 bytes, as pasted or uploaded) in, the engine's answer as JSON out. The
 * dashboard shows the answer's fields as text; it never interprets them as markup.
 */
@FunctionalInterface
public interface TriageRunner {
  /** Largest message the Triage page accepts. */
  int MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

  JsonNode triage(byte[] message) throws NotAMailMessage;

  /** The input is not a mail message the engine can read; the message says why. */
  final class NotAMailMessage extends Exception {
    private static final long serialVersionUID = 1L;

    public NotAMailMessage(String why) {
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
