package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one sentence a person reads first. */
class AnswerSentenceTest {
  private static final Instant SENT = Instant.parse("2026-12-06T17:32:11Z");

  private static Origin origin(boolean recordable) {
    return new Origin("10.20.3.17", SENT, 1, "from pc (unknown [10.20.3.17]) by mx1", Optional.of("mx1"),
        "date of hop 1", "hop 0 …", List.of(), recordable
            ? new TrustSource(TrustSource.Kind.MAIL_SERVER, "mail-server role (host mx1, held 198.51.100.5)")
            : new TrustSource(TrustSource.Kind.DELIVERING, "delivering MTA (top line)"),
        recordable, recordable ? "written by an MTA of ours" : "not an MTA of ours");
  }

  private static TriageResult result(Optional<Origin> origin, List<Candidate> candidates, Optional<HostState> owner) {
    return new TriageResult(List.of(new ComplaintSummary(ComplaintKind.MESSAGE,
        Optional.of("harold@lab.example.edu"), owner, Optional.of("honey"), origin)), candidates, List.of());
  }

  private static final HostState HAROLD =
      new HostState("h-12", "lab-pc-12", Optional.empty(), "CLEAN", List.of());

  @Test
  void aTracedAnswerNamesTheSenderTheTimeAndTheForgedFromAddress() {
    String s = AnswerSentence.of(result(Optional.of(origin(true)),
        List.of(new Candidate("h-07", "lab-pc-07", 0.88, List.of("held 10.20.3.17 at 2026-12-06T17:32:11Z (origin, hop 1)"))), Optional.of(HAROLD)));

    assertThat(s).isEqualTo("Sent by lab-pc-07 (10.20.3.17) at 17:32:11 UTC on 2026-12-06 — confidence high (0.88)."
        + " The From: address harold@lab.example.edu is forged: its owner's machine lab-pc-12 is CLEAN.");
  }

  @Test
  void aSenderThatDidNotHoldTheOriginIsNotShownWithThatAddressAsItsOwn() {
    String s = AnswerSentence.of(result(Optional.of(origin(true)), List.of(new Candidate("h-07", "lab-pc-07", 0.5,
        List.of("SMTP egress … within ±10 min of origin 10.20.3.17"))), Optional.empty()));

    assertThat(s).startsWith("Sent by lab-pc-07 (the mail entered at 10.20.3.17) at 17:32:11 UTC");
  }

  @Test
  void confidenceWordsFollowTheDocumentedThresholds() {
    assertThat(AnswerSentence.confidenceWord(0.8)).isEqualTo("high");
    assertThat(AnswerSentence.confidenceWord(0.79)).isEqualTo("medium");
    assertThat(AnswerSentence.confidenceWord(0.5)).isEqualTo("medium");
    assertThat(AnswerSentence.confidenceWord(0.49)).isEqualTo("low");
  }

  @Test
  void anAnswerNoMtaOfOursRecordedSaysItIsUnverifiedAndWhatToDo() {
    String s = AnswerSentence.of(result(Optional.of(origin(false)),
        List.of(new Candidate("h-07", "lab-pc-07", 0.7, List.of())), Optional.empty()));

    assertThat(s).contains("Unverified").contains("Settings page").contains("mail-server role");
  }

  @Test
  void withoutAnOriginItSaysSoAndAsksForTheFullHeaders() {
    TriageResult r = new TriageResult(List.of(new ComplaintSummary(ComplaintKind.MESSAGE, Optional.empty(),
        Optional.empty(), Optional.empty(), Optional.empty())), List.of(),
        List.of("no Received: lines; no origin can be determined"));

    assertThat(AnswerSentence.of(r)).isEqualTo("LabScan cannot tell where this message came from: no Received:"
        + " lines; no origin can be determined. Paste the complaint with all its Received: headers (for a bounce,"
        + " with the copy of the original it carries).");
  }

  @Test
  void anOriginNoHostAccountsForSaysItProbablyDidNotComeFromTheLab() {
    String s = AnswerSentence.of(result(Optional.of(origin(true)), List.of(), Optional.empty()));

    assertThat(s).startsWith("The message entered our mail path from 10.20.3.17 at 17:32:11 UTC on 2026-12-06,"
        + " but no LabScan host held that address");
  }

  @Test
  void terminalEscapesAndBidiControlsInAHostnameNeverReachTheSentence() {
    String s = AnswerSentence.of(result(Optional.of(origin(true)),
        List.of(new Candidate("h-07", "pc\u001b]0;owned\u0007\u202e\r\nFAKE", 0.88, List.of("held 10.20.3.17 at x"))), Optional.of(HAROLD)));

    assertThat(s).startsWith("Sent by pc?]0;owned????FAKE (10.20.3.17)");
    assertThat(s.codePoints().noneMatch(cp -> Character.isISOControl(cp) || cp == 0x202e)).isTrue();
  }
  @Test
  void aSenderWhoseNameAnotherHostSharesIsNamedWithItsHostIdAndSoIsTheOwnersMachine() {
    HostState otherHarold = new HostState("h-12", "LAB-PC-12", Optional.empty(), "CLEAN", List.of());
    TriageResult r = new TriageResult(List.of(new ComplaintSummary(ComplaintKind.MESSAGE,
        Optional.of("harold@lab.example.edu"), Optional.of(otherHarold), Optional.of("honey"), Optional.of(origin(true)))),
        List.of(new Candidate("h-66", "lab-pc-07", 0.93, List.of("held 10.20.3.17 at x"))), List.of(), List.of(),
        java.util.Set.of("lab-pc-07", "lab-pc-12"));

    String s = AnswerSentence.of(r);

    assertThat(s).startsWith("Sent by lab-pc-07 [h-66] (10.20.3.17)")
        .contains("Another host of the fleet reports the name lab-pc-07")
        .contains("its owner's machine LAB-PC-12 [h-12] is CLEAN");
  }

  @Test
  void aZeroWidthSpaceInAHostnameIsShownNotHidden() {
    String s = AnswerSentence.of(result(Optional.of(origin(true)),
        List.of(new Candidate("h-66", "lab-pc-07\u200b", 0.88, List.of("held 10.20.3.17 at x"))), Optional.empty()));

    assertThat(s).startsWith("Sent by lab-pc-07? (10.20.3.17)");
  }
}
