package io.labscan.controller.triage;

/** What the operator fed in. */
public enum ComplaintKind {
  /** A whole message (.eml): its own Received: lines are traced. */
  MESSAGE,
  /** A delivery status notification: the embedded original is traced, not the bounce. */
  BOUNCE,
  /** An ARF abuse report (RFC 5965): the reported message is traced. */
  ARF,
  /** A header block pasted without a body. */
  HEADERS
}
