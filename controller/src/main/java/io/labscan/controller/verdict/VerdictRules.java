package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.labscan.controller.triage.SameConnection;

/**
 * The verdict rules (documented in docs/verdicts.md). Pure: the same evidence and clock give
 * the same verdict, so they are tested on hand-built evidence.
 *
 * <ol>
 *   <li>INFECTED: an artifact of the worm having run (its files, registry entries, hash matches)
 *       in the latest full scan; or SMTP egress by a process policy does not allow that looks
 *       like a worm's mailing ({@link #wormMailing}) near the origin time of a complaint traced
 *       to this host ({@link #COMPLAINT_EGRESS_WINDOW}); or the same connection seen from both ends,
 *       the recording MTA's trusted line and this host's own session to it ({@link #sameConnection}).
 *       Worm mail found in a mailbox (findings of the mail
 *       check) is <em>exposure</em>, never infection: 200 recipients of one outbreak are not
 *       200 infected hosts.
 *   <li>SUSPECTED: unauthorised SMTP egress from a host that is not a mail server; or a
 *       complaint traced here; or only weak signs (e.g. deleted integrity files).
 *   <li>UNKNOWN: no completed full scan within 26 h, or the agent silent for over an hour.
 *   <li>AT_RISK: no infection evidence, but worm mail received (exposure), or no antivirus
 *       product with fresh definitions.
 *   <li>CLEAN otherwise.
 * </ol>
 * Evidence for INFECTED/SUSPECTED outranks staleness: a silent host that sent the worm's mail
 * stays on the infected list.
 */
public final class VerdictRules {
  /** Reason code of an address another host claims at the same time. */
  public static final String ADDRESS_CONFLICT = "address-conflict";

  /** Reason code: a full scan newer than the latest complete one did not finish every check. */
  public static final String INCOMPLETE_SCAN = "incomplete-scan";
  /** Reason code: egress and a complaint that do not combine into INFECTED (R1/R2, round 5). */
  public static final String NOT_WORM_MAILING = "egress-not-worm-mailing";
  /**
   * Reason code: the host's own SMTP egress and the trusted line of the MTA that recorded a traced
   * complaint's origin describe the same connection (issue 15, N7; {@link #sameConnection}).
   */
  public static final String SAME_CONNECTION = "same-connection";
  /** Reason code: the host's connection to the recording MTA is not the only one then (a tie). */
  public static final String SAME_CONNECTION_TIE = "same-connection-tie";
  /**
   * How far from the recording MTA's line an egress window may lie and still be the connection the
   * line describes: triage's egress slack ({@code TriageOptions.defaults()}), for the agent's and
   * the MTA's clocks.
   */
  public static final Duration SAME_CONNECTION_SLACK = Duration.ofMinutes(10);
  private static final Set<String> AV_PROBLEMS = Set.of("MISSING", "STALE", "DISABLED");

  private final VerdictPolicy policy;

  /**
   * Most destinations one {@code smtp-egress} reason quotes; the count of all of them is in the
   * reason anyway. Reasons are stored with every verdict and rewritten on every evaluation: a
   * report of 1,000 windows x 150 destinations (within every ingest limit) made one verdict's
   * reasons about 0.3 MB when each quoted its window's whole list (issue 15, red-team round 3).
   */
  static final int MAX_QUOTED_DESTINATIONS = 8;

  /** The first {@code max} space-separated destinations, and how many more there are. */
  static String quoted(String destinations, int max) {
    int end = -1;
    for (int i = 0; i < max; i++) {
      end = destinations.indexOf(' ', end + 1);
      if (end < 0) {
        return destinations;
      }
    }
    int more = 1;
    for (int j = destinations.indexOf(' ', end + 1); j >= 0; j = destinations.indexOf(' ', j + 1)) {
      more++;
    }
    return destinations.substring(0, end) + " and " + more + " more";
  }

  /**
   * Connections in the egress windows near a complaint from which the egress looks like a worm's
   * mailing: the same bar as triage's ({@code CarrierSender.WORM_CONNECTIONS}). A person's mail
   * client opens one or two connections per message to our own submission server.
   */
  static final int WORM_CONNECTIONS = 20;
  /**
   * Distinct destinations in the egress windows near a complaint from which the egress looks like
   * a worm's mailing (a worm's own SMTP engine mails each recipient's MX); triage's {@code
   * CarrierSender.WORM_OUTSIDE_DESTINATIONS}. A person's client talks to our mail server and at
   * most a personal provider or two.
   */
  static final int WORM_DESTINATIONS = 4;
  /**
   * How far from a complaint's origin time (the boundary MTA's clock) an egress window may lie to
   * combine with it into INFECTED: the agent's and the MTA's clocks may differ by minutes and a
   * worm mails in bursts of minutes, while the same host's ordinary mail on other hours or days
   * says nothing about this complaint. Triage's own window is ±10 min; this is wider so that
   * clock skew never hides a real burst, and far narrower than the 7 days of egress and 30 days of
   * complaints a verdict looks at. A complaint with no known origin time is linked to no window.
   */
  static final Duration COMPLAINT_EGRESS_WINDOW = Duration.ofMinutes(30);

  /**
   * Whether the unallowed egress windows overlapping [from, to] together look like a worm's
   * mailing ({@value #WORM_CONNECTIONS}+ connections or {@value #WORM_DESTINATIONS}+ distinct
   * destinations) rather than a person's mail client. Egress and a complaint combine into
   * INFECTED only then (issue 15, red-team round 5, R1/R2): a complaint traced through an egress
   * window alone (no holder of the origin) or through a user's own authenticated submission
   * rests on that same window, and one mail client's connection counted twice is not two
   * independent kinds of evidence.
   */
  static boolean wormMailing(List<HostEvidence.Egress> windows, Instant from, Instant to) {
    long connections = 0;
    int widest = 0;
    Set<String> destinations = new java.util.HashSet<>();
    for (HostEvidence.Egress w : windows) {
      if (w.windowEnd().isBefore(from) || w.windowStart().isAfter(to)) {
        continue;
      }
      connections += Math.max(0, w.connections());
      widest = Math.max(widest, w.distinctDestinations());
      for (String d : w.destinations().split(" ")) {
        int star = d.lastIndexOf('*');
        String dest = (star >= 0 ? d.substring(0, star) : d).trim();
        int colon = dest.lastIndexOf(':');
        if (colon > 0 && dest.indexOf(':') == colon) {
          dest = dest.substring(0, colon); // IPv4 "ip:port": the server, whatever the port
        } else if (dest.startsWith("[") && dest.contains("]")) {
          dest = dest.substring(1, dest.indexOf(']'));
        }
        if (!dest.isEmpty() && destinations.size() <= WORM_DESTINATIONS) {
          destinations.add(dest);
        }
      }
    }
    return connections >= WORM_CONNECTIONS || Math.max(widest, destinations.size()) >= WORM_DESTINATIONS;
  }

  /**
   * The same connection seen from both ends (issue 15, N7): a complaint traced here whose origin a
   * trusted MTA of ours recorded, and this host's own SMTP egress by a process policy does not
   * allow to that MTA's address on port 25, in a window covering the line's time within {@link
   * #SAME_CONNECTION_SLACK}, with no other host reaching that MTA then. Two independent witnesses
   * (the MTA's line, the host's agent) of one specific event: enough for INFECTED whatever the
   * number of connections, so a worm or spam bot that delivers all its copies in ONE session
   * through the campus MX (one connection, one destination, many {@code RCPT TO}) is found. It
   * does not reopen R1: a stray connection elsewhere, to a submission port, or hours away matches
   * nothing, an allowed process is never among the windows, an authenticated submission records
   * no MTA, and a tie (several hosts behind one NAT reached the MTA then) counts for none.
   *
   * @return the INFECTED reason, a tie's note (code {@link #SAME_CONNECTION_TIE}), or empty
   */
  static java.util.Optional<Reason> sameConnection(HostEvidence e, HostEvidence.Complaint c) {
    if (e.mailServer() || c.originTime().isEmpty() || c.recordingMta().isEmpty()) {
      return java.util.Optional.empty();
    }
    Instant t = c.originTime().get();
    for (HostEvidence.Egress w : e.egressViolations()) {
      if (!SameConnection.covers(w.windowStart(), w.windowEnd(), t, SAME_CONNECTION_SLACK)) {
        continue;
      }
      java.util.Optional<String> to = SameConnection.toMta(w.destinations(), c.recordingMta());
      if (to.isEmpty()) {
        continue;
      }
      String process = w.processName().isEmpty() ? "an unattributed process" : w.processName();
      if (!c.rivals().isEmpty()) {
        return java.util.Optional.of(new Reason(SAME_CONNECTION_TIE, "This host's " + process + " reached "
            + to.get() + ", the MTA that recorded complaint " + c.complaintId() + "'s origin at " + t + ", but so did "
            + c.rivals().size() + " other host(s) then (" + String.join(", ", c.rivals().subList(0,
                Math.min(3, c.rivals().size()))) + "): behind a shared address only a unique match counts, so not"
            + " INFECTED", "complaint " + c.complaintId()));
      }
      return java.util.Optional.of(new Reason(SAME_CONNECTION, "The MTA at " + String.join(" / ", c.recordingMta())
          + " recorded complaint " + c.complaintId() + "'s mail arriving at " + t + ", and this host's own " + process
          + " (pid " + w.pid() + ", a process policy does not allow) connected to " + to.get() + " between "
          + w.windowStart() + " and " + w.windowEnd() + ", and no other host did then: the same connection seen"
          + " from both ends", "report " + w.reportId()));
    }
    return java.util.Optional.empty();
  }

  public VerdictRules(VerdictPolicy policy) {
    this.policy = requireNonNull(policy, "policy");
  }

  public Assessment evaluate(HostEvidence e, Instant now) {
    requireNonNull(e, "evidence");
    requireNonNull(now, "now");
    List<Reason> infection = new ArrayList<>();
    List<Reason> weak = new ArrayList<>();
    List<Reason> exposure = new ArrayList<>();
    List<String> runTargets = runTargets(e.findings());
    List<Copy> copies = new ArrayList<>();
    List<String> ran = new ArrayList<>();
    for (HostEvidence.Finding f : e.findings()) {
      if (f.receivedMail()) {
        // Worm mail in a mailbox shows that the worm reached the host, not that it ran: during
        // an outbreak hundreds of inboxes hold copies. Exposure, never infection on its own.
        exposure.add(new Reason("exposure", "Received worm mail (exposure, not infection): " + f.ruleId()
            + " in " + f.where() + (f.detail().isEmpty() ? "" : " (" + f.detail() + ")")
            + "; nothing shows it ran here", "report " + f.reportId()));
        continue;
      }
      if (!f.suspicious() && f.signatureMatch()) {
        // A signature match is weighed by where the file lies (issue 15, S4): see SignatureLocation.
        SignatureLocation.Place place = SignatureLocation.classify(f.where(), runTargets);
        if (place.kind() != SignatureLocation.Kind.RAN) {
          copies.add(new Copy(f, place));
          continue;
        }
        infection.add(new Reason("artifact", "Infection artifact: " + f.ruleId() + " at " + f.where()
            + (f.detail().isEmpty() ? "" : " (" + f.detail() + ")") + ", in " + place.why(), "report " + f.reportId()));
        continue;
      }
      Reason r = new Reason(f.suspicious() ? "weak-sign" : "artifact",
          (f.suspicious() ? "Sign of infection: " : "Infection artifact: ") + f.ruleId() + " at " + f.where()
              + (f.detail().isEmpty() ? "" : " (" + f.detail() + ")"),
          "report " + f.reportId());
      (f.suspicious() ? weak : infection).add(r);
      if (!f.suspicious() && HostEvidence.Finding.REGISTRY.equals(f.ruleKind())) {
        ran.add("the worm's registry entry " + f.ruleId() + " at " + f.where() + " (report " + f.reportId() + ")");
      }
    }
    List<Reason> egress = new ArrayList<>();
    if (!e.mailServer()) {
      for (HostEvidence.Egress w : e.egressViolations()) {
        egress.add(new Reason("smtp-egress", String.format(Locale.ROOT,
            "Outbound SMTP by a process policy does not allow: %s (pid %d%s) made %d connection%s to %d "
                + "destination%s between %s and %s [%s]; this host is not a mail server",
            w.processName().isEmpty() ? "an unattributed process" : w.processName(), w.pid(),
            w.processPath().isEmpty() ? "" : ", " + w.processPath(), w.connections(),
            w.connections() == 1 ? "" : "s", w.distinctDestinations(), w.distinctDestinations() == 1 ? "" : "s",
            w.windowStart(), w.windowEnd(), quoted(w.destinations(), MAX_QUOTED_DESTINATIONS)),
            "report " + w.reportId()));
      }
    }
    List<Reason> complaints = new ArrayList<>();
    List<Reason> sameConnection = new ArrayList<>();
    List<Reason> ties = new ArrayList<>();
    boolean wormEgressNearComplaint = false;
    for (HostEvidence.Complaint c : e.complaints()) {
      if (c.confidence() >= policy.complaintMinConfidence()) {
        wormEgressNearComplaint |= !egress.isEmpty() && c.originTime().map(t -> wormMailing(e.egressViolations(),
            t.minus(COMPLAINT_EGRESS_WINDOW), t.plus(COMPLAINT_EGRESS_WINDOW))).orElse(false);
        sameConnection(e, c).ifPresent(r -> (SAME_CONNECTION.equals(r.code()) ? sameConnection : ties).add(r));
        complaints.add(new Reason("complaint", String.format(Locale.ROOT,
            "Complaint %s traced to this host (confidence %.2f) at %s%s", c.complaintId(), c.confidence(),
            c.tracedAt(), c.summary().isEmpty() ? "" : ": " + c.summary()),
            "complaint " + c.complaintId()));
      }
    }
    if (!copies.isEmpty()) {
      located(e, copies, ran, !complaints.isEmpty(), infection, exposure, weak);
    }
    List<Reason> staleness = new ArrayList<>();
    Duration silence = Duration.between(e.lastSeen(), now);
    if (silence.compareTo(policy.silenceMax()) > 0) {
      staleness.add(new Reason("silent", "Agent silent since " + e.lastSeen() + " (" + human(silence)
          + "; limit " + human(policy.silenceMax()) + ")", "host " + e.hostId()));
    }
    if (e.lastFullScan().isEmpty()) {
      staleness.add(new Reason("no-full-scan", "No completed full scan on record", "host " + e.hostId()));
    } else {
      Duration age = Duration.between(e.lastFullScan().get(), now);
      if (age.compareTo(policy.fullScanMaxAge()) > 0) {
        staleness.add(new Reason("scan-overdue", "Last completed full scan " + e.lastFullScan().get() + " ("
            + human(age) + " ago; limit " + human(policy.fullScanMaxAge()) + ")", "host " + e.hostId()));
      }
    }
    List<Reason> av = new ArrayList<>();
    boolean anyFresh = e.av().stream().anyMatch(a -> "FRESH".equals(a.state()));
    if (!e.av().isEmpty() && !anyFresh) {
      for (HostEvidence.Av a : e.av()) {
        if (AV_PROBLEMS.contains(a.state()) || "UNKNOWN".equals(a.state())) {
          av.add(new Reason("antivirus", "Antivirus " + (a.product().isEmpty() ? a.provider() : a.product())
              + " is " + a.state() + (a.reason().isEmpty() ? "" : ": " + a.reason()), "report " + a.reportId()));
        }
      }
    }
    boolean avAtRisk = e.av().stream().anyMatch(a -> AV_PROBLEMS.contains(a.state())) && !anyFresh;

    List<Reason> reasons = new ArrayList<>();
    Verdict verdict;
    // The same connection (N7) is shown, not INFECTED on its own: red team round 8 showed one
    // ordinary port-25 connection (a cron mail, a mail client) matched for outside senders' mail,
    // gap and gone-then-silent candidates and containerised MTAs, so it must come with a second,
    // independent sign before it may convict (issue 15, still open).
    if (!infection.isEmpty() || wormEgressNearComplaint) {
      verdict = Verdict.INFECTED;
      reasons.addAll(infection);
      reasons.addAll(sameConnection);
      reasons.addAll(egress);
      reasons.addAll(complaints);
      reasons.addAll(weak);
    } else if (!egress.isEmpty() || !complaints.isEmpty() || !weak.isEmpty()) {
      verdict = Verdict.SUSPECTED;
      reasons.addAll(egress);
      reasons.addAll(complaints);
      reasons.addAll(weak);
      reasons.addAll(sameConnection);
      reasons.addAll(ties);
      if (!egress.isEmpty() && !complaints.isEmpty()) {
        reasons.add(new Reason(NOT_WORM_MAILING, "The SMTP egress does not look like a worm's mailing near a"
            + " traced complaint's origin time (fewer than " + WORM_CONNECTIONS + " connections and "
            + WORM_DESTINATIONS + " destinations within ±" + COMPLAINT_EGRESS_WINDOW.toMinutes() + " min of it):"
            + " a mail client's own sending and a complaint about that mail are not two independent kinds of"
            + " evidence, so not INFECTED", "host " + e.hostId()));
      }
    } else if (!staleness.isEmpty()) {
      verdict = Verdict.UNKNOWN;
      reasons.addAll(staleness);
      staleness.clear();
    } else if (!exposure.isEmpty() || avAtRisk) {
      verdict = Verdict.AT_RISK;
      reasons.addAll(exposure);
      exposure.clear();
      reasons.addAll(av);
      av.clear();
    } else {
      verdict = Verdict.CLEAN;
      reasons.add(new Reason("clean", "Full scan at " + e.lastFullScan().map(Instant::toString).orElse("?")
          + " found no infection evidence; no unauthorised SMTP egress"
          + (e.mailServer() ? " (mail server: SMTP egress allowed)" : "")
          + (anyFresh ? "; antivirus definitions fresh" : e.av().isEmpty() ? "; no antivirus status reported" : ""),
          "host " + e.hostId()));
    }
    reasons.addAll(exposure);
    // A conflict changes no verdict (either claimant may be the liar) but is always shown.
    for (HostEvidence.Conflict k : e.addressConflicts()) {
      reasons.add(new Reason(ADDRESS_CONFLICT, k.ip() + " is claimed by " + e.hostname() + " (" + e.hostId()
          + ") and " + k.otherHostname() + " (" + k.otherHostId() + ") since " + k.since()
          + ": conflicting address claims; both remain triage candidates", "host " + k.otherHostId()));
    }
    // An incomplete scan changes no verdict by itself: its findings already count above and the
    // earlier complete scan's findings still stand; the operator is told why they do.
    for (HostEvidence.IncompleteScan s : e.incompleteScans()) {
      reasons.add(new Reason(INCOMPLETE_SCAN, "The full scan of " + s.finished() + " did not finish check"
          + (s.checks().size() == 1 ? " " : "s ") + String.join(", ", s.checks())
          + " (failed or timed out): its findings count, the earlier complete scan's findings still stand"
          + e.lastFullScan().map(t -> " (" + t + ")").orElse(" (none on record)"), "report " + s.reportId()));
    }
    reasons.addAll(staleness);
    if (verdict != Verdict.AT_RISK && avAtRisk) {
      reasons.addAll(av);
    }
    return new Assessment(verdict, reasons);
  }

  /** A signature match found outside the places the worm runs from, with its place. */
  private record Copy(HostEvidence.Finding finding, SignatureLocation.Place place) {}

  /** Reason code: a copy of the worm where received mail and saved attachments land (AT_RISK). */
  public static final String EXPOSURE_COPY = "exposure-copy";
  /** Reason code: a copy of the worm elsewhere on disk, with nothing showing it ran (SUSPECTED). */
  public static final String COPY_NOT_RUN = "copy-not-run";
  /** Reason code: a copy of the worm outside its run places, and independent evidence that it ran (INFECTED). */
  public static final String COPY_AND_RAN = "copy-and-ran";
  /** Most Run-value programs read from one host's findings. */
  private static final int MAX_RUN_TARGETS = 64;

  /**
   * The programs the host's reported Run / RunServices values (and services) start: the value
   * data the agent's registry findings quote ({@code "...: value WinkAbcd = C:\\WINDOWS\\..."},
   * {@code "...: Wink runs C:\\..."}).
   */
  static List<String> runTargets(List<HostEvidence.Finding> findings) {
    List<String> out = new ArrayList<>();
    for (HostEvidence.Finding f : findings) {
      if (out.size() >= MAX_RUN_TARGETS) {
        break;
      }
      if (f.receivedMail() || !HostEvidence.Finding.REGISTRY.equals(f.ruleKind())) {
        continue;
      }
      String key = f.where().toLowerCase(Locale.ROOT);
      String d = f.detail();
      int at = d.lastIndexOf(" = ");
      int runs = d.lastIndexOf(" runs ");
      if ((key.contains("\\run") || key.contains("\\runservices")) && at >= 0) {
        out.add(d.substring(at + 3));
      } else if (key.contains("\\services") && runs >= 0) {
        out.add(d.substring(runs + 6));
      }
    }
    return out;
  }

  /**
   * Weighs signature matches found outside the worm's run places (issue 15, S4): with independent
   * evidence that the worm ran on this host (its registry entries, SMTP egress by a process policy
   * does not allow that looks like a worm's mailing, a complaint traced here) INFECTED, naming that
   * evidence; otherwise a copy where received mail lands is exposure (AT_RISK) and a copy anywhere
   * else a weak sign (SUSPECTED). A recipient who saved the attachment is not infected.
   */
  private void located(HostEvidence e, List<Copy> copies, List<String> ran, boolean tracedComplaint,
      List<Reason> infection, List<Reason> exposure, List<Reason> weak) {
    List<String> evidence = new ArrayList<>(ran);
    if (!e.mailServer()) {
      for (HostEvidence.Egress w : e.egressViolations()) {
        if (wormMailing(e.egressViolations(), w.windowStart().minus(COMPLAINT_EGRESS_WINDOW),
            w.windowEnd().plus(COMPLAINT_EGRESS_WINDOW))) {
          evidence.add("its own SMTP egress that looks like a worm's mailing ("
              + (w.processName().isEmpty() ? "an unattributed process" : w.processName()) + ", "
              + w.connections() + " connection(s) to " + w.distinctDestinations() + " destination(s) between "
              + w.windowStart() + " and " + w.windowEnd() + ", report " + w.reportId() + ")");
          break;
        }
      }
    }
    if (tracedComplaint) {
      for (HostEvidence.Complaint c : e.complaints()) {
        if (c.confidence() >= policy.complaintMinConfidence()) {
          evidence.add(String.format(Locale.ROOT, "complaint %s traced to this host (confidence %.2f)",
              c.complaintId(), c.confidence()));
          break;
        }
      }
    }
    for (Copy c : copies) {
      HostEvidence.Finding f = c.finding();
      String what = f.ruleId() + " at " + f.where() + (f.detail().isEmpty() ? "" : " (" + f.detail() + ")");
      if (!evidence.isEmpty()) {
        infection.add(new Reason(COPY_AND_RAN, "Copy of the worm: " + what + ", in " + c.place().why()
            + ", and evidence that it ran here: " + String.join("; ", evidence), "report " + f.reportId()));
      } else if (c.place().kind() == SignatureLocation.Kind.EXPOSURE) {
        exposure.add(new Reason(EXPOSURE_COPY, "Copy of the worm where received mail and saved attachments land"
            + " (exposure, not infection): " + what + ", in " + c.place().why() + "; nothing shows it ran here."
            + " Delete the file (or let the antivirus quarantine it) and scan the host", "report " + f.reportId()));
      } else {
        weak.add(new Reason(COPY_NOT_RUN, "Copy of the worm on disk, not where it installs itself or runs from: "
            + what + " (" + c.place().why() + "); nothing shows it ran here. Delete the file and scan the host",
            "report " + f.reportId()));
      }
    }
  }

  static String human(Duration d) {
    long minutes = d.toMinutes();
    if (minutes < 120) {
      return minutes + " min";
    }
    long hours = d.toHours();
    return hours < 72 ? hours + " h" : d.toDays() + " days";
  }
}
