package io.labscan.controller.campaign;

/** Where one host stands in one campaign run. */
public enum TargetState {
  /** A full scan finished after the run fired, with every check OK. */
  COMPLETED,
  /** A full scan after the run reported failed checks, or none came within the deadline. */
  FAILED,
  /** The host had no open command stream; it gets the command when it reconnects. */
  OFFLINE,
  /** The command was delivered; the scan report has not arrived yet. */
  PENDING
}
