package io.labscan.controller.cli;

import static io.labscan.testsupport.ImportedFleet.T0;
import static io.labscan.testsupport.ImportedFleet.egress;
import static io.labscan.testsupport.ImportedFleet.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.FindingSeverity;
import io.labscan.proto.v1.RuleKind;
import io.labscan.testsupport.ImportedFleet;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, red-team finding S4: a signature match's weight depends on where the bytes lie. The
 * worm's mail reached 30 recipients of one department who saved its attachment (Downloads, the
 * Outlook attachment cache) without running it; their agents' ClamAV-style hash signature for the
 * worm's executable matches the saved files. Receiving worm mail is exposure, not infection: none
 * of them is INFECTED, each is AT_RISK with a reason naming the file. The PC where the same bytes
 * lie in the system folder is INFECTED, and so is a recipient whose own agent saw a worm-like
 * burst of SMTP egress by a process policy does not allow, naming both. Fleet through {@code import}.
 */
class RedTeamRound7SignatureTest {
  @TempDir Path dir;
  private ImportedFleet fleet;
  private Instant worm;
  private Instant lately;

  @BeforeEach
  void theWormsMailReachedTheDepartment() {
    fleet = new ImportedFleet(dir);
    worm = T0.plus(Duration.ofHours(2));
    lately = Instant.now().minusSeconds(300).truncatedTo(ChronoUnit.SECONDS);
  }

  /** The hash signature of the worm's executable, as an agent with a ClamAV database reports it. */
  private static ArtifactFinding hashMatch(String path) {
    return ArtifactFinding.newBuilder().setRuleId("Win.Worm.Klez-9876543-0").setRuleKind(RuleKind.RULE_KIND_HASH)
        .setPath(path).setSize(57344).setSha256("9f2c".repeat(16))
        .setDetail("SHA-256 9f2c… and size 57344 match signature Win.Worm.Klez-9876543-0 from daily.hsb")
        .setRuleSetVersion("2026.3").setSeverity(FindingSeverity.FINDING_SEVERITY_INFECTION).build();
  }

  /** A host holding {@code ip} all day whose latest full scan, five minutes ago, reported {@code finding}. */
  private String hostWith(String name, String ip, ArtifactFinding finding) {
    String host = id();
    fleet.report(fleet.scan(host, name, T0, ip));
    fleet.report(fleet.scan(host, name, lately, ip).addFindings(finding));
    return host;
  }

  private static final List<String> SAVED = List.of(
      "Users/%s/Downloads/meeting notice.doc.pif",
      "C:\\Users\\%s\\Downloads\\readme.exe",
      "Users/%s/AppData/Local/Microsoft/Windows/INetCache/Content.Outlook/4F7QX2ZB/readme.exe",
      "Documents and Settings/%s/Local Settings/Temporary Internet Files/OLK1F3/let's be friends.scr",
      "Users/%s/Desktop/readme.exe");

  @Test
  void thirtyRecipientsWhoSavedTheAttachmentAreExposedNotInfected() throws Exception {
    List<String> recipients = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String user = "user" + i;
      recipients.add(hostWith(String.format(Locale.ROOT, "lab-pc-%02d", 40 + i), "10.20.7." + (40 + i),
          hashMatch(String.format(Locale.ROOT, SAVED.get(i % SAVED.size()), user))));
    }
    fleet.importReports();

    for (String host : recipients) {
      VerdictRecord v = fleet.verdict(host);
      assertThat(v.verdict()).as(host).isEqualTo(Verdict.AT_RISK);
      assertThat(v.reasons()).as(host).anySatisfy(r -> {
        assertThat(r.code()).isEqualTo("exposure-copy");
        assertThat(r.text()).contains("Win.Worm.Klez-9876543-0", "exposure, not infection", "Delete the file");
      });
    }
  }

  @Test
  void theSameBytesInTheSystemFolderAreInfection() throws Exception {
    String linda = hostWith("lab-pc-07", "10.20.3.17", hashMatch("WINDOWS/SYSTEM32/WINKABCD.EXE"));
    fleet.importReports();

    VerdictRecord v = fleet.verdict(linda);
    assertThat(v.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(v.reasons()).extracting(Reason::code).contains("artifact");
  }

  @Test
  void aRecipientWhoseOwnAgentSawAWormLikeBurstIsInfectedNamingBoth() throws Exception {
    String carol = id();
    fleet.report(fleet.scan(carol, "lab-pc-31", T0, "10.20.7.31"));
    fleet.report(fleet.scan(carol, "lab-pc-31", worm.plusSeconds(120), "10.20.7.31")
        .addEgress(egress(worm, "readme.exe", false, "198.51.100.7", "203.0.113.9", "198.51.100.20",
            "203.0.113.44", "198.51.100.61")));
    fleet.report(fleet.scan(carol, "lab-pc-31", lately, "10.20.7.31")
        .addFindings(hashMatch("Users/carol/Downloads/readme.exe")));
    fleet.importReports();

    VerdictRecord v = fleet.verdict(carol);
    assertThat(v.verdict()).isEqualTo(Verdict.INFECTED);
    assertThat(v.reasons()).anySatisfy(r -> {
      assertThat(r.code()).isEqualTo("copy-and-ran");
      assertThat(r.text()).contains("Users/carol/Downloads/readme.exe", "a Downloads folder",
          "SMTP egress that looks like a worm's mailing", "readme.exe");
    });
    assertThat(v.reasons()).extracting(Reason::code).contains("smtp-egress");
  }

  @Test
  void aSavedAttachmentAndTheRecipientsOwnMailClientIsNotInfected() throws Exception {
    // One message through the campus MX by the user's mail client: not a worm's mailing.
    String dave = id();
    fleet.report(fleet.scan(dave, "lab-pc-32", T0, "10.20.7.32"));
    fleet.report(fleet.scan(dave, "lab-pc-32", worm.plusSeconds(120), "10.20.7.32")
        .addEgress(egress(worm, "thunderbird", false, ImportedFleet.MX)));
    fleet.report(fleet.scan(dave, "lab-pc-32", lately, "10.20.7.32")
        .addFindings(hashMatch("Users/dave/Downloads/readme.exe")));
    fleet.importReports();

    assertThat(fleet.verdict(dave).verdict()).isEqualTo(Verdict.SUSPECTED);
  }
}
