package io.labscan.controller.triage;

/** The input is not a mail message, a bounce, a report or a header block; the message says why. */
public final class NotAMailMessageException extends Exception {
  private static final long serialVersionUID = 1L;

  public NotAMailMessageException(String message) {
    super(message);
  }
}
