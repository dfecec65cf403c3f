package io.labscan.controller.alert;

/**
 * Decides whether this controller sends an alert, so that controllers sharing one database send
 * each alert once between them, not once each (issue 20). {@link #ALWAYS} for a controller that
 * is alone on its database (SQLite).
 */
@FunctionalInterface
public interface AlertClaims {
  /** Every alert is this controller's to send. */
  AlertClaims ALWAYS = alert -> true;

  /**
   * Claims {@code alert}: true when this controller is to send it, false when another
   * controller claimed the same alert already. Runs on the alerts' thread, never on the caller's.
   */
  boolean claim(Alert alert);
}
