package io.labscan.controller.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The verdict rules on hand-built evidence. */
class VerdictRulesTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
  private final VerdictRules rules = new VerdictRules(VerdictPolicy.defaults());

  private static HostEvidence.Finding wink() {
    return new HostEvidence.Finding("r1", "klez.system.wink-exe", "RULE_KIND_FILE_NAME",
        "WINDOWS/SYSTEM32/WINKABCD.EXE", "Klez worm file", false);
  }

  private static HostEvidence.Finding deletedChecklist() {
    return new HostEvidence.Finding("r1", "klez.integrity-deleted", "RULE_KIND_INTEGRITY_FILE_DELETED",
        "CHKLIST.MS", "present at the previous scan, gone now", true);
  }

  private static HostEvidence.Egress wormEgress() {
    return new HostEvidence.Egress("r2", NOW.minusSeconds(3600), NOW.minusSeconds(3540), 1234, "winkabcd.exe",
        "C:\\WINDOWS\\SYSTEM32\\WINKABCD.EXE", 40, 12, "192.0.2.25:25*4");
  }

  private static HostEvidence.Av av(String state) {
    return new HostEvidence.Av("r1", "clamav", "ClamAV", state, "daily.cld built 5 days ago");
  }

  /** A complaint whose mail entered our MX during {@link #wormEgress()}'s window. */
  private static HostEvidence.Complaint complaint(double confidence) {
    return new HostEvidence.Complaint("c1", confidence, NOW.minusSeconds(600), "origin 10.20.3.17",
        Optional.of(NOW.minusSeconds(3570)));
  }

  /** A person's mail client submitting one message to our submission server. */
  private static HostEvidence.Egress mailClientEgress(Instant start) {
    return new HostEvidence.Egress("r2", start, start.plusSeconds(60), 3120, "thunderbird.exe",
        "C:\\Program Files\\Mozilla Thunderbird\\thunderbird.exe", 1, 1, "10.20.0.30:587*1");
  }

  private static HostEvidence evidence(List<HostEvidence.Finding> findings, List<HostEvidence.Av> av,
      List<HostEvidence.Egress> egress, List<HostEvidence.Complaint> complaints, boolean mailServer) {
    return new HostEvidence("h1", "lab-pc-07", NOW.minusSeconds(60), Optional.of(NOW.minus(Duration.ofHours(8))),
        findings, av, egress, complaints, mailServer);
  }

  private static HostEvidence clean() {
    return evidence(List.of(), List.of(av("FRESH")), List.of(), List.of(), false);
  }

  @Test
  void anArtifactMakesAHostInfectedAndSaysWhere() {
    Assessment a = rules.evaluate(evidence(List.of(wink()), List.of(av("FRESH")), List.of(), List.of(), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons().get(0).text()).contains("klez.system.wink-exe").contains("WINKABCD.EXE");
    assertThat(a.reasons().get(0).evidence()).isEqualTo("report r1");
  }

  @Test
  void unauthorisedEgressPlusATracedComplaintIsInfected() {
    Assessment a = rules.evaluate(
        evidence(List.of(), List.of(av("FRESH")), List.of(wormEgress()), List.of(complaint(0.9)), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).extracting(Reason::code).containsExactly("smtp-egress", "complaint");
  }

  @Test
  void aMailClientsOrdinarySendingAndAComplaintTracedThroughItAreSuspectedNotInfected() {
    // R1/R2 (issue 15, round 5): the complaint rests on this very window (egress-only ranking, or
    // the user's own submission); one connection counted twice is not two kinds of evidence.
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("FRESH")),
        List.of(mailClientEgress(NOW.minusSeconds(3600))), List.of(complaint(0.9)), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(a.reasons()).extracting(Reason::code)
        .containsExactly("smtp-egress", "complaint", VerdictRules.NOT_WORM_MAILING);
  }

  @Test
  void egressToManyServersWithFewConnectionsLooksLikeAWormsMailingAndCombinesWithTheComplaint() {
    HostEvidence.Egress spread = new HostEvidence.Egress("r2", NOW.minusSeconds(3600), NOW.minusSeconds(3540), 77,
        "svchost.exe", "", 5, 5, "198.51.100.7:25*1 198.51.100.8:25*1 203.0.113.9:25*1 203.0.113.10:25*1 192.0.2.77:25*1");
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("FRESH")), List.of(spread), List.of(complaint(0.9)),
        false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
  }

  @Test
  void aWormsMailingHoursAwayFromTheComplaintsOriginTimeDoesNotCombineWithIt() {
    HostEvidence.Complaint later = new HostEvidence.Complaint("c2", 0.9, NOW.minusSeconds(60), "origin 10.20.3.17",
        Optional.of(NOW.minus(Duration.ofMinutes(10))));
    HostEvidence.Complaint unknownTime = new HostEvidence.Complaint("c3", 0.9, NOW.minusSeconds(60), "origin 10.20.3.17");
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("FRESH")), List.of(wormEgress()),
        List.of(later, unknownTime), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void unauthorisedEgressAloneIsSuspectedWithProcessAndCounts() {
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("FRESH")), List.of(wormEgress()), List.of(), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(a.reasons().get(0).text()).contains("winkabcd.exe").contains("pid 1234").contains("40 connections")
        .contains("12 destinations");
  }

  @Test
  void egressFromAMailServerIsAllowed() {
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("FRESH")), List.of(wormEgress()), List.of(), true), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.CLEAN);
    assertThat(a.reasons().get(0).text()).contains("mail server");
  }

  @Test
  void aTracedComplaintWithoutArtifactsIsSuspected() {
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("FRESH")), List.of(), List.of(complaint(0.8)), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void aLowConfidenceComplaintDoesNotCount() {
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("FRESH")), List.of(), List.of(complaint(0.2)), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void weakSignsAloneAreSuspectedNotInfected() {
    Assessment a = rules.evaluate(evidence(List.of(deletedChecklist()), List.of(av("FRESH")), List.of(), List.of(), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void staleAntivirusWithoutInfectionEvidenceIsAtRisk() {
    Assessment a = rules.evaluate(evidence(List.of(), List.of(av("STALE")), List.of(), List.of(), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.AT_RISK);
    assertThat(a.reasons().get(0).text()).contains("ClamAV").contains("STALE").contains("5 days");
  }

  @Test
  void missingAntivirusIsAtRisk() {
    assertThat(rules.evaluate(evidence(List.of(), List.of(av("MISSING")), List.of(), List.of(), false), NOW).verdict())
        .isEqualTo(Verdict.AT_RISK);
  }

  @Test
  void oneFreshProductOutweighsADisabledOne() {
    assertThat(rules.evaluate(evidence(List.of(), List.of(av("DISABLED"), av("FRESH")), List.of(), List.of(), false),
        NOW).verdict()).isEqualTo(Verdict.CLEAN);
  }

  @Test
  void noFullScanIn26HoursIsUnknown() {
    HostEvidence e = new HostEvidence("h1", "lab-pc-07", NOW.minusSeconds(60),
        Optional.of(NOW.minus(Duration.ofHours(27))), List.of(), List.of(av("FRESH")), List.of(), List.of(), false);
    Assessment a = rules.evaluate(e, NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(a.reasons().get(0).code()).isEqualTo("scan-overdue");
  }

  @Test
  void anAgentSilentForOverAnHourIsUnknown() {
    HostEvidence e = new HostEvidence("h1", "lab-pc-07", NOW.minus(Duration.ofMinutes(61)),
        Optional.of(NOW.minus(Duration.ofHours(2))), List.of(), List.of(av("FRESH")), List.of(), List.of(), false);
    assertThat(rules.evaluate(e, NOW).verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void aSilentHostWithArtifactsStaysInfected() {
    HostEvidence e = new HostEvidence("h1", "lab-pc-07", NOW.minus(Duration.ofDays(3)),
        Optional.of(NOW.minus(Duration.ofDays(3))), List.of(wink()), List.of(), List.of(), List.of(), false);
    Assessment a = rules.evaluate(e, NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).extracting(Reason::code).contains("artifact", "silent", "scan-overdue");
  }

  @Test
  void aHostWithNothingAgainstItIsCleanAndSaysWhy() {
    Assessment a = rules.evaluate(clean(), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.CLEAN);
    assertThat(a.reasons().get(0).text()).contains("no infection evidence").contains("antivirus definitions fresh");
  }

  private static HostEvidence.Finding iframeInInbox() {
    return new HostEvidence.Finding("r1", "mail.ms01-020", HostEvidence.Finding.MAIL,
        "Users/linda/AppData/Roaming/Thunderbird/Profiles/x.default/Mail/Local Folders/Inbox",
        "iframe src=cid: names audio/x-wav part 'readme.exe' (MS01-020)", false);
  }

  private static HostEvidence.Finding plainExeAttachment() {
    return new HostEvidence.Finding("r1", "mail.executable-attachment", HostEvidence.Finding.MAIL,
        "Inbox", "attachment setup.exe", true);
  }

  @Test
  void wormMailInAnInboxIsExposureNotInfection() {
    Assessment a = rules.evaluate(evidence(List.of(iframeInInbox()), List.of(av("FRESH")), List.of(), List.of(),
        false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.AT_RISK);
    assertThat(a.reasons()).extracting(Reason::code).containsExactly("exposure");
    assertThat(a.reasons().get(0).text()).contains("exposure, not infection").contains("ms01-020")
        .contains("nothing shows it ran here");
  }

  @Test
  void anArtifactFindingReportedWithTheMailKindIsStillInfection() {
    // A tampered agent labels the worm's own file as received mail to pass as merely exposed.
    HostEvidence.Finding relabelled = new HostEvidence.Finding("r1", "klez.system.wink-exe", HostEvidence.Finding.MAIL,
        "WINDOWS/SYSTEM32/WINKABCD.EXE", "Klez worm file", false);

    Assessment a = rules.evaluate(evidence(List.of(relabelled), List.of(av("FRESH")), List.of(), List.of(), false),
        NOW);

    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
  }

  @Test
  void aWeakMailSignIsExposureTooNotSuspected() {
    Assessment a = rules.evaluate(evidence(List.of(plainExeAttachment()), List.of(av("FRESH")), List.of(),
        List.of(), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.AT_RISK);
  }

  @Test
  void receivedWormMailPlusTheWormsFileIsInfectedAndKeepsTheExposureReason() {
    Assessment a = rules.evaluate(evidence(List.of(iframeInInbox(), wink()), List.of(av("FRESH")), List.of(),
        List.of(), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(a.reasons()).extracting(Reason::code).containsExactly("artifact", "exposure");
  }

  @Test
  void receivedWormMailPlusUnauthorisedEgressIsSuspected() {
    Assessment a = rules.evaluate(evidence(List.of(iframeInInbox()), List.of(av("FRESH")), List.of(wormEgress()),
        List.of(), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(a.reasons()).extracting(Reason::code).containsExactly("smtp-egress", "exposure");
  }

  @Test
  void receivedWormMailPlusATracedComplaintIsSuspectedNotInfected() {
    Assessment a = rules.evaluate(evidence(List.of(iframeInInbox()), List.of(av("FRESH")), List.of(),
        List.of(complaint(0.9)), false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void anExposedHostWithStaleAntivirusIsAtRiskForBothReasons() {
    Assessment a = rules.evaluate(evidence(List.of(iframeInInbox()), List.of(av("STALE")), List.of(), List.of(),
        false), NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.AT_RISK);
    assertThat(a.reasons()).extracting(Reason::code).containsExactly("exposure", "antivirus");
  }

  @Test
  void anExposedHostWithoutARecentScanIsUnknownAndSaysItWasExposed() {
    HostEvidence e = new HostEvidence("h1", "lab-pc-07", NOW.minus(Duration.ofDays(3)),
        Optional.of(NOW.minus(Duration.ofDays(3))), List.of(iframeInInbox()), List.of(), List.of(), List.of(), false);
    Assessment a = rules.evaluate(e, NOW);
    assertThat(a.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(a.reasons()).extracting(Reason::code).contains("silent", "exposure");
  }
}
