package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the store holds about one host, as the verdict rules need it.
 *
 * @param findings findings of the latest full scan whose checks all completed (a later complete
 *     clean scan clears them), together with those of any newer incomplete full scans

 * @param av antivirus statuses from the latest report that carried any
 * @param egressViolations SMTP egress windows not allowed by policy, within the look-back
 * @param complaints complaints traced to this host, within the look-back
 * @param mailServer whether an operator gave the host a role that may send mail
 * @param addressConflicts addresses this host reports that another host reports at the same
 *     time (both within the holding grace of their last reports)
 * @param incompleteScans full scans newer than the latest complete one in which a check failed
 *     or timed out, newest first: they neither clear the complete scan's findings nor count as
 *     a full scan for compliance (a local user can force a timeout with a huge tree or a FUSE
 *     mount, and an agent can lie about any of it)
 */
public record HostEvidence(
    String hostId,
    String hostname,
    Instant lastSeen,
    Optional<Instant> lastFullScan,
    List<Finding> findings,
    List<Av> av,
    List<Egress> egressViolations,
    List<Complaint> complaints,
    boolean mailServer,
    List<Conflict> addressConflicts,
    List<IncompleteScan> incompleteScans) {

  public HostEvidence {
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    requireNonNull(lastSeen, "lastSeen");
    requireNonNull(lastFullScan, "lastFullScan");
    findings = List.copyOf(findings);
    av = List.copyOf(av);
    egressViolations = List.copyOf(egressViolations);
    complaints = List.copyOf(complaints);
    addressConflicts = List.copyOf(addressConflicts);
    incompleteScans = List.copyOf(incompleteScans);
  }

  /** Evidence without incomplete scans. */
  public HostEvidence(String hostId, String hostname, Instant lastSeen, Optional<Instant> lastFullScan,
      List<Finding> findings, List<Av> av, List<Egress> egressViolations, List<Complaint> complaints,
      boolean mailServer, List<Conflict> addressConflicts) {
    this(hostId, hostname, lastSeen, lastFullScan, findings, av, egressViolations, complaints, mailServer,
        addressConflicts, List.of());
  }

  /** Evidence without address conflicts. */
  public HostEvidence(String hostId, String hostname, Instant lastSeen, Optional<Instant> lastFullScan,
      List<Finding> findings, List<Av> av, List<Egress> egressViolations, List<Complaint> complaints,
      boolean mailServer) {
    this(hostId, hostname, lastSeen, lastFullScan, findings, av, egressViolations, complaints, mailServer,
        List.of());
  }

  /**
   * A full scan that did not complete every check.
   *
   * @param checks the checks that failed or timed out (names as the agent reports them)
   */
  public record IncompleteScan(String reportId, Instant finished, List<String> checks) {
    public IncompleteScan {
      requireNonNull(reportId, "reportId");
      requireNonNull(finished, "finished");
      checks = List.copyOf(checks);
    }
  }

  /** One artifact finding. {@code suspicious} is true for weak signs, false for the artifact itself. */
  public record Finding(String reportId, String ruleId, String ruleKind, String where, String detail,
      boolean suspicious) {
    /** The rule kind of the mail check's findings (proto {@code RuleKind}). */
    public static final String MAIL = "RULE_KIND_MAIL";

    /** The rule ids of the mail check all start with this ({@code mail.attachment.…}, {@code mail.klez.…}). */
    public static final String MAIL_RULE_PREFIX = "mail.";
    /** The rule kind of registry findings. */
    public static final String REGISTRY = "RULE_KIND_REGISTRY";
    /** The rule kinds of hash and body signature matches (a ClamAV-style signature). */
    public static final java.util.Set<String> SIGNATURE_KINDS = java.util.Set.of("RULE_KIND_HASH",
        "RULE_KIND_BODY_PATTERN");

    /**
     * True for a hash or body signature match: the file's bytes are the worm's, which says
     * nothing yet about whether it ran; the verdict weighs it by where the file lies
     * ({@link SignatureLocation}).
     */
    public boolean signatureMatch() {
      return SIGNATURE_KINDS.contains(ruleKind);
    }

    /**
     * True for worm mail found in a mailbox: evidence of exposure, not of infection. Both the kind
     * and the rule id must say mail: the kind is the agent's word, and an artifact rule's finding
     * (a Klez file, a Run value) reported with the mail kind stays evidence of infection.
     */
    public boolean receivedMail() {
      return MAIL.equals(ruleKind) && ruleId.startsWith(MAIL_RULE_PREFIX);
    }
  }

  /** One antivirus status. {@code state} is the proto name without prefix: FRESH, STALE, … */
  public record Av(String reportId, String provider, String product, String state, String reason) {}

  /** One SMTP egress window by a process policy does not allow. */
  public record Egress(String reportId, Instant windowStart, Instant windowEnd, int pid, String processName,
      String processPath, int connections, int distinctDestinations, String destinations) {}

  /**
   * One complaint traced to the host by triage.
   *
   * @param tracedAt when triage traced it
   * @param originTime when the traced mail entered our mail system (the boundary hop's time), if known
   * @param recordingMta the addresses of the MTA that wrote the boundary line (empty when unknown,
   *     or for an authenticated submission)
   * @param rivals other hosts (not mail servers) whose SMTP egress, allowed or not, reached the
   *     recording MTA on port 25 within the slack of the origin time: with any, the host's own
   *     connection is not the unique match ({@link io.labscan.controller.triage.SameConnection})
   */
  public record Complaint(String complaintId, double confidence, Instant tracedAt, String summary,
      Optional<Instant> originTime, List<String> recordingMta, List<String> rivals) {
    public Complaint {
      requireNonNull(originTime, "originTime");
      recordingMta = List.copyOf(recordingMta);
      rivals = List.copyOf(rivals);
    }

    /** A trace whose recording MTA is not known. */
    public Complaint(String complaintId, double confidence, Instant tracedAt, String summary,
        Optional<Instant> originTime) {
      this(complaintId, confidence, tracedAt, summary, originTime, List.of(), List.of());
    }

    /** A trace whose origin time is not known. */
    public Complaint(String complaintId, double confidence, Instant tracedAt, String summary) {
      this(complaintId, confidence, tracedAt, summary, Optional.empty());
    }
  }

  /**
   * Another host reports one of this host's addresses at the same time: addresses are claims
   * (a clone, a typo'd static address, or an agent lying), so neither claim ends the other.
   *
   * @param since when the overlap began (the later of the two claims' starts)
   */
  public record Conflict(String ip, String otherHostId, String otherHostname, Instant since) {
    public Conflict {
      requireNonNull(ip, "ip");
      requireNonNull(otherHostId, "otherHostId");
      requireNonNull(otherHostname, "otherHostname");
      requireNonNull(since, "since");
    }

    /** Stable identity of the conflict, for announcing each once. */
    public String key() {
      return ip + "|" + otherHostId + "|" + since.toEpochMilli();
    }
  }
}
