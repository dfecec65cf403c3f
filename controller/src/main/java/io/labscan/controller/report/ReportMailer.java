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

  /**
   * A message that could not be sent; the message says why in plain words (for the log), {@link
   * #reason} in a short line fit to show on the Reports page.
   */
  final class ReportMailException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The most characters of {@link #reason}. */
    public static final int MAX_REASON = 300;
    private final String reason;

    /** {@code message} is shown too (cut, printable): for messages LabScan wrote itself. */
    public ReportMailException(String message, Throwable cause) {
      this(message, message, cause);
    }

    /**
     * @param message the whole story for the log (may hold the relay's own words)
     * @param reason what the Reports page and the audit log show: LabScan's words only, no
     *     text the relay chose (cut to {@link #MAX_REASON} printable characters)
     */
    public ReportMailException(String message, String reason, Throwable cause) {
      super(message, cause);
      this.reason = shortLine(requireNonNull(reason, "reason"));
    }

    /** Why, in one short line of printable characters. */
    public String reason() {
      return reason;
    }

    private static String shortLine(String text) {
      String t = text.replaceAll("[\\p{Cntrl}\\p{Cf}]+", " ").strip();
      return t.length() > MAX_REASON ? t.substring(0, MAX_REASON - 1) + "…" : t;
    }
  }
}
