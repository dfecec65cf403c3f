package io.labscan.controller.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property, over seeded random hosts: a host whose only evidence is received worm mail (mail
 * check findings of any severity, any antivirus state, any staleness, address conflicts, low
 * confidence complaints) is never INFECTED nor SUSPECTED; its exposure is always among the reasons.
 */
class ExposurePropertyTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
  private static final List<String> AV_STATES = List.of("FRESH", "STALE", "DISABLED", "MISSING", "UNKNOWN");
  /** The mail check's rule ids (agent checks.mail). */
  private static final List<String> MAIL_RULES = List.of("mail.ms01-020", "mail.attachment.double-extension",
      "mail.attachment.executable", "mail.klez.subject");

  @Test
  void aHostWithOnlyReceivedMailEvidenceIsNeverInfectedOrSuspected() {
    VerdictRules rules = new VerdictRules(VerdictPolicy.defaults());
    Random random = new Random(0x16_0C_2026L);
    for (int i = 0; i < 2_000; i++) {
      List<HostEvidence.Finding> findings = new ArrayList<>();
      int n = 1 + random.nextInt(200);
      for (int k = 0; k < n; k++) {
        findings.add(new HostEvidence.Finding("r" + random.nextInt(3), MAIL_RULES.get(random.nextInt(MAIL_RULES.size())),
            HostEvidence.Finding.MAIL, "Mail/Inbox/" + k, "worm message " + k, random.nextBoolean()));
      }
      List<HostEvidence.Av> av = new ArrayList<>();
      for (int k = random.nextInt(3); k > 0; k--) {
        av.add(new HostEvidence.Av("r1", "clamav", "ClamAV", AV_STATES.get(random.nextInt(AV_STATES.size())), ""));
      }
      List<HostEvidence.Complaint> weakComplaints = new ArrayList<>();
      if (random.nextBoolean()) {
        weakComplaints.add(new HostEvidence.Complaint("c1", random.nextDouble() * 0.49, NOW.minusSeconds(600), ""));
      }
      List<HostEvidence.Conflict> conflicts = random.nextBoolean() ? List.of()
          : List.of(new HostEvidence.Conflict("10.20.3.20", "other", "lab-pc-12", NOW.minusSeconds(3600)));
      Instant lastSeen = NOW.minus(Duration.ofMinutes(random.nextInt(3 * 24 * 60)));
      Optional<Instant> lastScan = random.nextInt(5) == 0 ? Optional.empty()
          : Optional.of(lastSeen.minus(Duration.ofMinutes(random.nextInt(48 * 60))));
      HostEvidence e = new HostEvidence("h" + i, "lab-pc-" + i, lastSeen, lastScan, findings, av, List.of(),
          weakComplaints, random.nextBoolean(), conflicts);

      Assessment a = rules.evaluate(e, NOW);

      assertThat(a.verdict()).as("host %d", i).isNotIn(Verdict.INFECTED, Verdict.SUSPECTED, Verdict.CLEAN);
      assertThat(a.reasons()).as("host %d", i).extracting(Reason::code).contains("exposure");
    }
  }
}
