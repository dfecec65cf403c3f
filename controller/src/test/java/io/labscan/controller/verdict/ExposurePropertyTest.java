package io.labscan.controller.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import io.labscan.contract.rules.FileRule;
import io.labscan.contract.rules.FolderPattern;
import io.labscan.contract.rules.RuleSet;
import io.labscan.proto.v1.FindingSeverity;
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

  /**
   * Names the worm gives the attachments it mails (and the copies it writes onto shares): a
   * document name with an executable extension behind it, and plain executables with random
   * or inviting names (Klez's own subjects' attachments, W32.Klez.gen@mm).
   */
  private static final List<String> WORM_ATTACHMENTS = List.of("meeting notice.doc.pif", "readme.txt.scr",
      "Undeliverable mail.htm.exe", "photo.jpg.exe", "report.xls.bat", "document.rtf.com", "setup.exe",
      "kjhsdfg.scr", "QWRTZPLK.PIF", "Worm Klez.E immunity.exe");
  /**
   * Folders where a person or another (infected) host puts such a file without it having run:
   * a profile's Downloads, Desktop and Documents, a mail client's attachment folder, a share.
   */
  private static final List<String> SAVED_IN = List.of("Users/carol/Downloads", "Users/carol/Desktop",
      "Documents and Settings/carol/My Documents", "home/carol", "srv/share/lab", "Users/Public/Documents",
      "Users/carol/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/X1Y2Z3",
      "Documents and Settings/carol/Local Settings/Temp", "Users/carol/AppData/Local/Temp");

  /**
   * R3 (issue 15, red-team round 5): what the worm sends or drops onto others is exposure wherever
   * it lies. For every built-in artifact rule whose pattern matches a worm attachment saved in a
   * profile or share folder, a host whose only evidence is such findings (with the severity the
   * rule set gives them) is never INFECTED. Only what the worm does when it runs on a host (its
   * system-folder copy, Run value or service, infected executables, its egress) is infection.
   */
  @Test
  void aSavedWormAttachmentOrAShareCopyIsNeverInfectionWhateverRuleMatchesIt() {
    RuleSet rules = RuleSet.builtIn();
    VerdictRules verdicts = new VerdictRules(VerdictPolicy.defaults());
    int matched = 0;
    for (String folder : SAVED_IN) {
      List<String> folded = new ArrayList<>();
      for (String part : folder.split("/")) {
        folded.add(FolderPattern.fold(part));
      }
      for (FileRule rule : rules.rulesFor(folded)) {
        for (String name : WORM_ATTACHMENTS) {
          if (!rule.matches(name)) {
            continue;
          }
          matched++;
          FindingSeverity severity = rules.severityOf(rule.id());
          assertThat(severity).as("%s matches %s/%s", rule.id(), folder, name)
              .isNotEqualTo(FindingSeverity.FINDING_SEVERITY_INFECTION);
          HostEvidence.Finding f = new HostEvidence.Finding("r1", rule.id(), "RULE_KIND_FILE_NAME",
              folder + "/" + name, rule.detail(), severity == FindingSeverity.FINDING_SEVERITY_SUSPICIOUS);
          HostEvidence e = new HostEvidence("h", "lab-pc-30", NOW.minusSeconds(60),
              Optional.of(NOW.minusSeconds(600)), List.of(f), List.of(), List.of(), List.of(), false);
          assertThat(verdicts.evaluate(e, NOW).verdict()).as("%s at %s/%s", rule.id(), folder, name)
              .isNotEqualTo(Verdict.INFECTED);
        }
      }
    }
    assertThat(matched).as("the built-in rules recognise the worm's attachments somewhere").isPositive();
  }

  /**
   * Folders of {@link #SAVED_IN} where received mail and what people save from it land (all but
   * the bare home folder, which is "anywhere else": a copy there is SUSPECTED, never INFECTED).
   */
  private static final List<String> MAIL_LANDS_IN = SAVED_IN.stream().filter(f -> !f.equals("home/carol")).toList();
  private static final List<String> SIGNATURE_KINDS = List.of("RULE_KIND_HASH", "RULE_KIND_BODY_PATTERN");

  /**
   * S4 (issue 15, red-team): a hash or body signature of the worm's executable matching a saved
   * attachment is exposure too. Over seeded random hosts holding received worm mail and signature
   * matches (agent severity INFECTION) on attachments saved where mail lands, any antivirus state,
   * staleness and weak complaints: never INFECTED nor SUSPECTED, and the saved copy is among the
   * reasons. Anywhere in {@link #SAVED_IN} a lone match is never INFECTED.
   */
  @Test
  void aHostWithOnlyReceivedMailAndSavedAttachmentsIsNeverInfectedOrSuspected() {
    VerdictRules rules = new VerdictRules(VerdictPolicy.defaults());
    Random random = new Random(0x54_2026L);
    for (int i = 0; i < 2_000; i++) {
      List<HostEvidence.Finding> findings = new ArrayList<>();
      for (int k = random.nextInt(5); k > 0; k--) {
        findings.add(new HostEvidence.Finding("r1", MAIL_RULES.get(random.nextInt(MAIL_RULES.size())),
            HostEvidence.Finding.MAIL, "Mail/Inbox/" + k, "worm message " + k, random.nextBoolean()));
      }
      for (int k = 1 + random.nextInt(20); k > 0; k--) {
        String folder = MAIL_LANDS_IN.get(random.nextInt(MAIL_LANDS_IN.size()));
        String name = WORM_ATTACHMENTS.get(random.nextInt(WORM_ATTACHMENTS.size()));
        String path = random.nextBoolean() ? folder + "/" + name : "C:\\" + (folder + "/" + name).replace('/', '\\');
        findings.add(new HostEvidence.Finding("r1", "Win.Worm.Klez-" + random.nextInt(5),
            SIGNATURE_KINDS.get(random.nextInt(2)), path, "signature match", false));
      }
      List<HostEvidence.Av> av = new ArrayList<>();
      for (int k = random.nextInt(3); k > 0; k--) {
        av.add(new HostEvidence.Av("r1", "clamav", "ClamAV", AV_STATES.get(random.nextInt(AV_STATES.size())), ""));
      }
      List<HostEvidence.Complaint> weakComplaints = random.nextBoolean() ? List.of()
          : List.of(new HostEvidence.Complaint("c1", random.nextDouble() * 0.49, NOW.minusSeconds(600), ""));
      Instant lastSeen = NOW.minus(Duration.ofMinutes(random.nextInt(3 * 24 * 60)));
      Optional<Instant> lastScan = random.nextInt(5) == 0 ? Optional.empty()
          : Optional.of(lastSeen.minus(Duration.ofMinutes(random.nextInt(48 * 60))));
      HostEvidence e = new HostEvidence("h" + i, "lab-pc-" + i, lastSeen, lastScan, findings, av, List.of(),
          weakComplaints, random.nextBoolean());

      Assessment a = rules.evaluate(e, NOW);

      assertThat(a.verdict()).as("host %d", i).isNotIn(Verdict.INFECTED, Verdict.SUSPECTED, Verdict.CLEAN);
      assertThat(a.reasons()).as("host %d", i).extracting(Reason::code).contains(VerdictRules.EXPOSURE_COPY);
    }
    for (String folder : SAVED_IN) {
      for (String name : WORM_ATTACHMENTS) {
        HostEvidence e = new HostEvidence("h", "lab-pc-30", NOW.minusSeconds(60), Optional.of(NOW.minusSeconds(600)),
            List.of(new HostEvidence.Finding("r1", "Win.Worm.Klez-1", "RULE_KIND_HASH", folder + "/" + name,
                "hash match", false)), List.of(), List.of(), List.of(), false);
        assertThat(rules.evaluate(e, NOW).verdict()).as("%s/%s", folder, name).isNotEqualTo(Verdict.INFECTED);
      }
    }
  }
}
