package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A message that carries another one (an attached {@code message/rfc822}, a pasted header block
 * after "Begin forwarded message:", a raw {@code Received:} block under a {@code Fwd:} subject)
 * is traced through the carried part only when its own header block shows a person or an
 * organisation forwarding it (issue 15, red-team finding 2; {@link CarrierSender}).
 *
 * <p>The campus: {@code mx1} (198.51.100.5, mail-server role) hands mail to the mailbox server;
 * {@code lab-pc-07} (10.20.3.17, Linda's) runs the worm; {@code lab-pc-12} (10.20.3.12, Harold's)
 * is innocent; {@code lab-pc-30} (10.20.3.30) is Janet's desktop. Nothing is configured: trust
 * is learned from the fleet.
 */
class CarriedMessageTest {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");
  private static final String JANET = "janet@campus.example.edu";

  /** The campus fleet; lab-pc-07's worm mailed through mx1 around 17:32, 36 SMTP sessions. */
  private static FakeEvidence campus() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07").held("pc07", "10.20.3.17", DAY, null)
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null)
        .host("pc30", "lab-pc-30").held("pc30", "10.20.3.30", DAY, null)
        .egressBurst("pc07", "wqkrtz.exe", Instant.parse("2026-12-06T17:31:00Z"),
            Instant.parse("2026-12-06T17:34:00Z"), 36, false, "198.51.100.5");
  }

  private static ParsedComplaint parse(String file, FakeEvidence fleet) throws Exception {
    return parse(Corpus.bytes("carried/" + file), fleet);
  }

  private static ParsedComplaint parse(byte[] bytes, FakeEvidence fleet) throws Exception {
    return ComplaintParser.parse(bytes, TrustConfig.none().withFleet(fleet));
  }

  private static TriageResult triage(ParsedComplaint c, FakeEvidence fleet) {
    return new Triage(fleet, KEY, TriageOptions.defaults()).triage(c);
  }

  private static List<String> hostnames(TriageResult r) {
    return r.candidates().stream().map(Candidate::hostname).toList();
  }

  // ---- the worm's own mail, carrying a forged "forward" --------------------------------

  @Test
  void wormMailCarryingAForgedAttachedMessageIsTracedAsItselfAndTheHostTheAttachmentNamesIsNoCandidate()
      throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("worm-direct-forged-attachment.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(c.origin().orElseThrow().time()).isEqualTo(Instant.parse("2026-12-06T17:32:11Z"));
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(hostnames(r)).doesNotContain("lab-pc-12");
    assertThat(r.candidates().get(0).confidence()).isGreaterThanOrEqualTo(0.8);
    assertThat(r.recordable()).isTrue();
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w)
        .startsWith("the message carries a forwarded message (attachment 1, message/rfc822); it was not traced"
            + " because lab-pc-07 sent this message itself straight to the mail server with a process policy"
            + " does not allow")
        .contains("process wqkrtz.exe"));
  }

  @Test
  void wormMailCarryingAForgedBlockAfterBeginForwardedMessageIsTracedAsItself() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("worm-direct-forged-inline-begin-forwarded.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(hostnames(r)).doesNotContain("lab-pc-12");
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w)
        .contains("after \"Begin forwarded message:\"").contains("it was not traced because lab-pc-07"));
  }

  @Test
  void wormMailWithAFwdSubjectAndARawReceivedBlockInItsTextIsTracedAsItself() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("worm-direct-fwd-subject-raw-block.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(hostnames(r)).doesNotContain("lab-pc-12");
  }

  @Test
  void wormMailShapedAsABounceWhoseOriginalNamesAnInnocentHostIsTracedAsItself() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("worm-direct-forged-bounce.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.kind()).isEqualTo(ComplaintKind.MESSAGE);
    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(hostnames(r)).doesNotContain("lab-pc-12");
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w).startsWith(
        "the message carries a bounce's copy of an original message; it was not traced because lab-pc-07"));
  }

  @Test
  void withoutTheRuleTheForgedAttachmentWouldHaveNamedTheInnocentHost() throws Exception {
    // The same mail read without any knowledge of the fleet is unwrapped, as before: the carried
    // part names lab-pc-12's address. This is what the outer walk prevents.
    ParsedComplaint c = ComplaintParser.parse(Corpus.bytes("carried/worm-direct-forged-attachment.eml"),
        TrustConfig.of(List.of("198.51.100.5")));

    assertThat(c.tracedPart()).startsWith("attachment 1 of the message");
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.12");
  }

  // ---- people and organisations forwarding -----------------------------------------------

  @Test
  void janetsAuthenticatedForwardIsTracedThroughTheAttachmentAndHerMachineIsNoCandidate() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("janet-esmtpsa-forward.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).isEqualTo("attachment 1 of the message (message/rfc822), forwarded by " + JANET);
    assertThat(c.directSender()).isEmpty();
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(r.candidates().get(0).confidence()).isGreaterThanOrEqualTo(0.8);
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
  }

  @Test
  void anExternalAbuseDeskForwardIsUnwrappedButCappedSinceItWasNotAnAuthenticatedSubmission() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("abuse-desk-forward.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart())
        .isEqualTo("attachment 1 of the message (message/rfc822), forwarded by abuse@example.net");
    assertThat(c.directSender()).isEmpty();
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(c.unverifiedCarrier()).hasValueSatisfying(
        w -> assertThat(w).contains("the forward was not an authenticated submission"));
    assertThat(r.candidates().get(0).confidence()).isEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  @Test
  void anUnauthenticatedForwardFromTheMachineOfTheFromAddressesOwnerIsUnwrappedButCapped() throws Exception {
    FakeEvidence fleet = campus().owns("pc30", JANET);

    ParsedComplaint c = parse("janet-unauthenticated-forward.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).isEqualTo("attachment 1 of the message (message/rfc822), forwarded by " + JANET);
    assertThat(c.directSender()).isEmpty();
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(c.unverifiedCarrier()).hasValueSatisfying(
        w -> assertThat(w).contains("the forward was not an authenticated submission"));
    assertThat(r.candidates().get(0).confidence()).isEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
  }

  @Test
  void anUnauthenticatedForwardFromALabHostThatOnlySentMailThroughAnAllowedClientIsUnwrappedButCapped() throws Exception {
    FakeEvidence fleet = campus().egressBy("pc30", "thunderbird", Instant.parse("2026-12-06T18:04:30Z"),
        Instant.parse("2026-12-06T18:05:30Z"), true, "198.51.100.5");

    ParsedComplaint c = parse("janet-unauthenticated-forward.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).startsWith("attachment 1 of the message (message/rfc822), forwarded by");
    assertThat(c.directSender()).isEmpty();
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(c.unverifiedCarrier()).hasValueSatisfying(
        w -> assertThat(w).contains("the forward was not an authenticated submission"));
    assertThat(r.candidates().get(0).confidence()).isEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.recordable()).isFalse();
  }

  // ---- the ambiguous case --------------------------------------------------------------

  @Test
  void anUnauthenticatedForwardFromALabHostWithNoEgressEitherWayIsTracedButCappedAndNeverRecorded()
      throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("janet-unauthenticated-forward.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).startsWith("attachment 1 of the message (message/rfc822), forwarded by");
    assertThat(c.directSender()).contains("lab-pc-30 (10.20.3.30)");
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(r.candidates()).allSatisfy(k -> assertThat(k.confidence()).isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP));
    assertThat(r.summary()).doesNotContain("confidence high");
    assertThat(hostnames(r)).doesNotContain("lab-pc-30");
    assertThat(r.recordable()).isFalse();
    assertThat(r.warnings()).anySatisfy(w -> assertThat(w)
        .contains("sent straight to the mail server by lab-pc-30 (10.20.3.30)")
        .contains("lab-pc-30 is the direct sender of this message"));
  }

  @Test
  void aCarriedMessageWithTrustedHopsIsStillNotRecordedInTheAmbiguousCase() throws Exception {
    FakeEvidence fleet = campus();

    ParsedComplaint c = parse("janet-unauthenticated-forward.eml", fleet);

    // The carried part's boundary was written by mx1, an MTA of ours ...
    assertThat(c.hops().get(1).trustSource().orElseThrow().ours()).isTrue();
    // ... and still nothing in the answer may become evidence.
    assertThat(c.origin().orElseThrow().recordable()).isFalse();
  }

  @Test
  void aForwardFromTheFromAddressesOwnersMachineThatAlsoRanAWormIsTracedButCapped() throws Exception {
    // From: is the sender's choice: a worm on Janet's PC may write janet@ as readily as anyone.
    FakeEvidence fleet = campus().owns("pc30", JANET).egressBy("pc30", "svch0st.exe",
        Instant.parse("2026-12-06T18:04:00Z"), Instant.parse("2026-12-06T18:06:00Z"), false, "198.51.100.5");

    ParsedComplaint c = parse("janet-unauthenticated-forward.eml", fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).startsWith("attachment 1 of the message");
    assertThat(c.directSender()).contains("lab-pc-30 (10.20.3.30)");
    assertThat(r.candidates()).allSatisfy(k -> assertThat(k.confidence()).isLessThanOrEqualTo(Triage.UNRESOLVED_CARRIER_CAP));
    assertThat(r.recordable()).isFalse();
  }

  // ---- nesting ---------------------------------------------------------------------------

  @Test
  void janetsForwardOfAWormMailThatCarriesAForgedMessageNamesTheWormHostNotTheForgedOne() throws Exception {
    FakeEvidence fleet = campus();
    byte[] forward = attach(Corpus.bytes("carried/worm-direct-forged-attachment.eml"));

    ParsedComplaint c = parse(forward, fleet);
    TriageResult r = triage(c, fleet);

    assertThat(c.tracedPart()).isEqualTo("attachment 1 of the message (message/rfc822), forwarded by " + JANET);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.17");
    assertThat(hostnames(r)).first().isEqualTo("lab-pc-07");
    assertThat(hostnames(r)).doesNotContain("lab-pc-12");
  }

  /** Janet's authenticated Thunderbird forward of {@code message} as an attachment. */
  private static byte[] attach(byte[] message) {
    String head = String.join("\n",
        "Received: from [10.20.3.30] (lab-pc-30.campus.example.edu [10.20.3.30])",
        "\t(Authenticated sender: " + JANET + ")",
        "\tby mx1.campus.example.edu (Postfix) with ESMTPSA id 1A2B3C4D5E",
        "\tfor <it-support@campus.example.edu>; Sun, 6 Dec 2026 18:10:01 +0000 (UTC)",
        "From: Janet <" + JANET + ">",
        "To: it-support@campus.example.edu",
        "Subject: Fwd: Fw: meeting notice",
        "Date: Sun, 6 Dec 2026 18:10:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: multipart/mixed; boundary=\"------------nested\"",
        "",
        "--------------nested",
        "Content-Type: text/plain",
        "",
        "this one is odd, it says lab-pc-12",
        "",
        "--------------nested",
        "Content-Type: message/rfc822",
        "",
        "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(message);
    out.writeBytes("\n--------------nested--\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }
}
