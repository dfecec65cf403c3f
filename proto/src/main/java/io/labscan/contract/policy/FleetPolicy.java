package io.labscan.contract.policy;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.Policy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The fleet's policy as one typed, versioned value: what the controller judges hosts by
 * (verdict and compliance thresholds) and what it hands agents (egress settings, the rule set
 * they scan with). Today these numbers are spread over the controller's verdict and compliance
 * classes and {@link PolicyDefaults}; this record gathers them so a policy can be stored as one
 * row under one version and read back whole.
 *
 * <p>{@link #defaults()} is exactly today's behaviour. {@link #agentPolicy()} is the part an
 * agent receives, with every field the fleet policy leaves open filled by {@link PolicyDefaults}.
 *
 * @param version the policy's version; agents apply a policy only when its version is newer
 */
public record FleetPolicy(long version, Verdicts verdicts, Compliance compliance, Egress egress,
    Optional<RuleSetRef> ruleSet) {

  /**
   * Thresholds of the verdict rules (docs/verdicts.md).
   *
   * @param fullScanMaxAge a host without a completed full scan this recent is UNKNOWN
   * @param silenceMax a host whose agent was silent this long is UNKNOWN
   * @param egressLookback unauthorised SMTP egress this recent counts
   * @param complaintLookback complaints traced this recently count
   * @param complaintMinConfidence a complaint counts against a host from this confidence on (0..1)
   */
  public record Verdicts(Duration fullScanMaxAge, Duration silenceMax, Duration egressLookback,
      Duration complaintLookback, double complaintMinConfidence) {
    public Verdicts {
      positive(fullScanMaxAge, "fullScanMaxAge");
      positive(silenceMax, "silenceMax");
      positive(egressLookback, "egressLookback");
      positive(complaintLookback, "complaintLookback");
      if (!(complaintMinConfidence >= 0 && complaintMinConfidence <= 1)) {
        throw new IllegalArgumentException("complaintMinConfidence must lie in 0..1, got " + complaintMinConfidence);
      }
    }

    public static Verdicts defaults() {
      return new Verdicts(Duration.ofHours(26), Duration.ofHours(1), Duration.ofDays(7), Duration.ofDays(30), 0.5);
    }
  }

  /**
   * When a host counts as compliant (docs/dashboard.md): seen within {@code seenWithin}, and a
   * full scan finished within {@code fullScanWithin}.
   */
  public record Compliance(Duration seenWithin, Duration fullScanWithin) {
    public Compliance {
      positive(seenWithin, "seenWithin");
      positive(fullScanWithin, "fullScanWithin");
    }

    public static Compliance defaults() {
      return new Compliance(Duration.ofHours(1), Duration.ofHours(26));
    }
  }

  /**
   * What agents watch for outbound SMTP.
   *
   * @param smtpPorts destination ports that count as SMTP
   * @param processAllowlist processes allowed to send mail (a lab's mail client, a relay)
   * @param eventMode event-driven capture where the platform offers it, rather than polling
   * @param window length of one egress window
   */
  public record Egress(List<Integer> smtpPorts, List<String> processAllowlist, boolean eventMode, Duration window) {
    public Egress {
      smtpPorts = List.copyOf(smtpPorts);
      for (int port : smtpPorts) {
        if (port < 1 || port > 65_535) {
          throw new IllegalArgumentException("not a TCP port: " + port);
        }
      }
      processAllowlist = List.copyOf(processAllowlist);
      positive(window, "window");
    }

    public static Egress defaults() {
      Policy d = PolicyDefaults.defaults();
      return new Egress(d.getSmtpPortsList(), List.of(), false, Duration.ofSeconds(d.getEgressWindowSeconds()));
    }
  }

  /**
   * The rule set agents scan with, by reference: its name and the fingerprint of its content
   * ({@code RuleSet.fingerprint()}); the content itself travels once, in the agent policy.
   */
  public record RuleSetRef(String name, String fingerprint) {
    public RuleSetRef {
      requireNonNull(name, "name");
      requireNonNull(fingerprint, "fingerprint");
      if (fingerprint.isBlank()) {
        throw new IllegalArgumentException("a rule set reference needs the rule set's fingerprint");
      }
    }
  }

  public FleetPolicy {
    if (version < 0) {
      throw new IllegalArgumentException("version must not be negative, got " + version);
    }
    requireNonNull(verdicts, "verdicts");
    requireNonNull(compliance, "compliance");
    requireNonNull(egress, "egress");
    requireNonNull(ruleSet, "ruleSet");
  }

  /** Today's behaviour: version 0, the built-in thresholds, egress defaults, the agents' built-in rule set. */
  public static FleetPolicy defaults() {
    return new FleetPolicy(0, Verdicts.defaults(), Compliance.defaults(), Egress.defaults(), Optional.empty());
  }

  /** This policy under {@code newVersion}. */
  public FleetPolicy withVersion(long newVersion) {
    return new FleetPolicy(newVersion, verdicts, compliance, egress, ruleSet);
  }

  /**
   * The part agents receive, every field this policy leaves open filled by
   * {@link PolicyDefaults}. The rule set's content is the controller's to add (it is stored
   * once, referenced here by fingerprint).
   */
  public Policy agentPolicy() {
    return PolicyDefaults.withDefaults(Policy.newBuilder()
        .setVersion(version)
        .addAllSmtpPorts(egress.smtpPorts())
        .addAllSmtpProcessAllowlist(egress.processAllowlist())
        .setEgressEventMode(egress.eventMode())
        .setEgressWindowSeconds(egress.window().toSeconds())
        .setArtifactRulesName(ruleSet.map(RuleSetRef::name).orElse(""))
        .build());
  }

  private static void positive(Duration d, String name) {
    requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
