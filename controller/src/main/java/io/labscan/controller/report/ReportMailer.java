package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

/** Sends one report e-mail; {@link SmtpReportMailer} through the campus relay. */
@FunctionalInterface
public interface ReportMailer {
  /**
   * One message: a report (a plain-text summary and the CSV attached), or a confirmation mail
   * (text only: {@code csvName} empty).
   *
   * @param csvName the attachment's file name; empty for no attachment
   */
  record Mail(String to, String subject, String text, String csvName, byte[] csv) {
    public Mail {
      requireNonNull(to, "to");
      requireNonNull(subject, "subject");
      requireNonNull(text, "text");
      requireNonNull(csvName, "csvName");
      csv = csv.clone();
    }

    @Override
    public byte[] csv() {
      return csv.clone();
    }
  }

  /**
   * Hands {@code mail} to the relay and returns its Message-ID once the relay accepted it.
   *
   * @throws ReportMailException when the relay cannot be reached or refuses the message
   */
  String send(Mail mail);

  /** A message that could not be sent; the message says why in plain words. */
  final class ReportMailException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReportMailException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
