package io.labscan.controller.triage;

/** How far a {@code Received:} line can be believed, after the trust walk. */
public enum HopTrust {
  /** Written by an MTA the walk trusts, above the boundary. */
  TRUSTED,
  /** The lowest trusted line: its client IP is the origin. */
  BOUNDARY,
  /** Below the boundary: the sender's claims, possibly forged. */
  CLAIMED
}
