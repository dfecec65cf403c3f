package io.labscan.controller.verdict;

/** What the controller concludes about a host, most serious first. */
public enum Verdict {
  /** An artifact or infected-mail match, or unauthorised SMTP egress plus a complaint traced here. */
  INFECTED,
  /** Unauthorised SMTP egress, a complaint traced here, or weak infection signs. */
  SUSPECTED,
  /** No recent full scan, or the agent fell silent: the host's state is not known. */
  UNKNOWN,
  /** No infection evidence, but antivirus missing, stale or disabled. */
  AT_RISK,
  /** None of the above. */
  CLEAN;

  /** True for the verdicts that put a host on the infected list. */
  public boolean isInfectedList() {
    return this == INFECTED || this == SUSPECTED;
  }
}
