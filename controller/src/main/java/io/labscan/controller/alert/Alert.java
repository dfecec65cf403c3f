package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import java.time.Instant;
import java.util.List;

/**
 * Something an operator must hear about: a host became INFECTED or SUSPECTED, started to report
 * an address another host reports too (the one reason is the conflict), or two keys speak for one
 * host. {@code hostname} and the reasons' texts come from the endpoint: every sink
 * escapes them for its format. For a two-keys alert {@code verdict} is the host's current verdict
 * and the one reason says what was seen.
 */
public record Alert(Kind kind, String hostId, String hostname, Verdict verdict, Instant at, List<Reason> reasons) {
  /** What happened; {@link #event()} names it in webhook bodies and syslog MSGIDs. */
  public enum Kind {
    VERDICT_CHANGED("verdict-changed"),
    /** An address claimed by two hosts at once ({@code verdict} is the host's current one). */
    ADDRESS_CONFLICT("address-conflict"),
    /** A copy of the host's agent key is in use beside the real agent (see {@code trust.KeyConflicts}). */
    TWO_KEYS("two-keys"),
    /** A complaint from a watched mailbox names a host that is not INFECTED (yet). */
    COMPLAINT("complaint");

    private final String event;

    Kind(String event) {
      this.event = event;
    }

    public String event() {
      return event;
    }
  }

  public Alert {
    requireNonNull(kind, "kind");
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    requireNonNull(verdict, "verdict");
    requireNonNull(at, "at");
    reasons = List.copyOf(reasons);
  }

  /** A verdict change (the original alert). */
  public Alert(String hostId, String hostname, Verdict verdict, Instant at, List<Reason> reasons) {
    this(Kind.VERDICT_CHANGED, hostId, hostname, verdict, at, reasons);
  }

  /** Two keys for one host, with what was seen and how to recover. */
  public static Alert twoKeys(String hostId, String hostname, Verdict current, Instant at, String detail) {
    return new Alert(Kind.TWO_KEYS, hostId, hostname, current, at, List.of(new Reason("two-keys", detail
        + ". Recover: revoke the host (both keys stop; the machine enrols again as a new host), or re-enrol the "
        + "real machine with a token from 'labscan-controller enroll-token --host " + hostId + "'",
        "certificate serials")));
  }

  /**
   * A complaint that arrived by mail names this host, which is not INFECTED; the one reason is
   * the complaint's number, mailbox and triage's answer (mail text: sinks escape it).
   */
  public static Alert complaint(String hostId, String hostname, Verdict current, Instant at, String detail) {
    return new Alert(Kind.COMPLAINT, hostId, hostname, current, at, List.of(new Reason("complaint", detail,
        "complaint mailbox")));
  }

  /** One line for people: the host, the verdict (or the conflict) and the deciding reason. */
  public String summary() {
    if (kind == Kind.ADDRESS_CONFLICT) {
      return "Address conflict on host " + hostname + " (" + hostId + ")"
          + (reasons.isEmpty() ? "" : ": " + reasons.get(0).text());
    }
    if (kind == Kind.TWO_KEYS) {
      return "Host " + hostname + " (" + hostId + ") has two keys in use"
          + (reasons.isEmpty() ? "" : ": " + reasons.get(0).text());
    }
    if (kind == Kind.COMPLAINT) {
      return "A complaint names host " + hostname + " (" + hostId + "), which is " + verdict
          + (reasons.isEmpty() ? "" : ": " + reasons.get(0).text());
    }
    return "Host " + hostname + " (" + hostId + ") is now " + verdict
        + (reasons.isEmpty() ? "" : ": " + reasons.get(0).text());
  }
}
