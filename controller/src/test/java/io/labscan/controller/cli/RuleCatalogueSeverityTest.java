package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.verdict.Verdict;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.FindingSeverity;
import io.labscan.proto.v1.RuleKind;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, red-team round 5 R3 for agents of the previous release: the controller weighs a
 * finding by its own rule catalogue (this release's rule set, or the one it pushes), not by the
 * severity the agent sends. Reports through {@code import}, verdicts as the CLI computes them.
 */
class RuleCatalogueSeverityTest {
  @TempDir Path dir;
  private ImportedFleet fleet;

  @BeforeEach
  void createTheDatabase() {
    fleet = new ImportedFleet(dir);
  }

  /** A host whose latest full scan reported {@code finding}. */
  private String hostReporting(ArtifactFinding finding) throws Exception {
    String host = id();
    fleet.report(fleet.scan(host, "lab-pc-21", T0, "10.20.3.21"));
    fleet.report(fleet.scan(host, "lab-pc-21", java.time.Instant.now().minusSeconds(300)
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS), "10.20.3.21").addFindings(finding));
    fleet.importReports();
    return host;
  }

  @Test
  void anOldAgentsSavedWormAttachmentReportedAsInfectionIsNotInfected() throws Exception {
    // An agent of the previous release: its rule file said klez.double-extension is an infection.
    String host = hostReporting(ArtifactFinding.newBuilder().setRuleId("klez.double-extension")
        .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("Documents and Settings/ana/My Documents/notice.doc.pif")
        .setSize(57344).setDetail("double extension").setRuleSetVersion("2025.1")
        .setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build());

    assertThat(fleet.verdict(host).verdict()).isEqualTo(Verdict.SUSPECTED);
  }

  @Test
  void theWormsOwnFileReportedAsOnlySuspiciousIsStillInfected() throws Exception {
    String host = hostReporting(ImportedFleet.winkFile().toBuilder()
        .setSeverity(FindingSeverity.FINDING_SEVERITY_SUSPICIOUS).build());

    assertThat(fleet.verdict(host).verdict()).isEqualTo(Verdict.INFECTED);
  }

  @Test
  void aSignatureTheCatalogueDoesNotKnowKeepsTheAgentsSeverity() throws Exception {
    // A ClamAV signature loaded on the agent: its name is no rule of the controller's catalogue.
    String host = hostReporting(ArtifactFinding.newBuilder().setRuleId("Win.Worm.Klez-1")
        // In the system folder: since S4 a match's place weighs too (Windows\Temp is where opened
        // attachments land, exposure), and this test is about whose severity counts.
        .setRuleKind(RuleKind.RULE_KIND_HASH).setPath("WINDOWS/SYSTEM32/setup.exe").setSize(57344)
        .setSha256("a".repeat(64)).setDetail("hash match").setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION)
        .build());

    assertThat(fleet.verdict(host).verdict()).isEqualTo(Verdict.INFECTED);
  }
}
