package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TriageTest {
  private static final byte[] KEY = "fleet-key-for-tests-0123456789ab".getBytes(StandardCharsets.US_ASCII);
  private static final Instant T = Instant.parse("2024-01-15T10:00:00Z");
  private static final Instant DAY_BEFORE = T.minus(Duration.ofDays(1));
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final FakeEvidence evidence = new FakeEvidence(KEY)
      .host("h-pc17", "PC17").host("h-pc18", "PC18").host("h-pc19", "PC19").host("h-pc20", "PC20")
      .host("h-relay", "relay").host("h-victim", "VICTIM-PC");

  /** A complaint whose trusted boundary recorded {@code ip} at {@code at}, by MTA 192.0.2.25. */
  private static ParsedComplaint complaint(String ip, Instant at, String from, String... to) {
    String mail = "Received: from PC (unknown [" + ip + "]) by mx.example.net (192.0.2.25) with SMTP; "
        + RFC5322.format(at) + "\r\nFrom: " + from + "\r\nTo: " + String.join(", ", to)
        + "\r\nSubject: honey\r\n\r\nbody\r\n";
    try {
      return ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.none());
    } catch (NotAMailMessageException e) {
      throw new AssertionError(e);
    }
  }

  private static ParsedComplaint complaintWithoutOrigin(String from, String... to) {
    String mail = "From: " + from + "\r\nTo: " + String.join(", ", to) + "\r\nSubject: honey\r\n\r\nbody\r\n";
    try {
      return ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.none());
    } catch (NotAMailMessageException e) {
      throw new AssertionError(e);
    }
  }

  private TriageResult triage(ParsedComplaint... complaints) {
    return new Triage(evidence, KEY, TriageOptions.defaults()).triage(List.of(complaints));
  }

  private static double confidenceOf(TriageResult r, String hostId) {
    return r.candidates().stream().filter(c -> c.hostId().equals(hostId)).findFirst()
        .map(Candidate::confidence).orElse(0.0);
  }

  // ---- address holders ------------------------------------------------------------------

  @Test
  void holderOfTheOriginAtThatTimeIsAStrongCandidate() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null);

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
    assertThat(r.candidates().get(0).confidence()).isEqualTo(0.70);
    assertThat(r.candidates().get(0).hostname()).isEqualTo("PC17");
    assertThat(r.candidates().get(0).reasons()).anyMatch(s -> s.startsWith("held 10.20.3.17 at 2024-01-15T10:00:00Z"));
  }

  @Test
  void earlierHolderOfTheAddressIsNeverBlamed() {
    Instant handOver = T.minus(Duration.ofHours(1));
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, handOver)
        .held("h-pc18", "10.20.3.17", handOver, null)
        .held("h-pc17", "10.20.3.99", handOver, null);

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc18");
  }

  @Test
  void laterHolderOfTheAddressIsNotBlamedEither() {
    Instant renumbered = T.plus(Duration.ofMinutes(30));
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, renumbered).held("h-pc19", "10.20.3.17", renumbered, null);

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
  }

  @Test
  void ipv6OriginMatchesTheHoldingOfTheSameAddress() {
    evidence.held("h-pc17", "2001:db8::25", DAY_BEFORE, null);

    TriageResult r = triage(complaint("IPv6:2001:DB8:0:0::25", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
  }

  @Test
  void twoHostsReportingTheSameAddressShareTheHolderWeight() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null).held("h-pc18", "10.20.3.17", DAY_BEFORE, null);

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.35);
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.35);
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("10.20.3.17 is claimed by PC17 (h-pc17) and PC18 (h-pc18) since "));
    assertThat(r.conflicts()).singleElement().satisfies(k -> assertThat(k.holders())
        .extracting(AddressHolding::hostId).containsExactly("h-pc17", "h-pc18"));
  }

  @Test
  void aConflictingClaimNeverHidesTheEarlierHolderAndEgressRanksTheClaimants() {
    // lab-pc-12's agent claims lab-pc-07's address from 09:02 on; lab-pc-07 keeps reporting it.
    evidence.heldOn("h-pc17", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, null)
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:12", T.minus(Duration.ofMinutes(58)), null)
        .egress("h-pc17", T.minus(Duration.ofMinutes(1)), T, false, "192.0.2.25");

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17", "h-pc18");
    // PC17's MAC held the address before the conflict began (0.70 · 2/3, with egress to the MTA 0.867), PC18's claim is fresh (0.70 · 1/3).
    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.867);
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.233);
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("10.20.3.20 is claimed by PC17 (h-pc17) and PC18 (h-pc18)"
        + " since " + T.minus(Duration.ofMinutes(58)) + ": conflicting claims, every claimant remains a candidate"
        + " (the holder weight is split) and SMTP egress ranks them"));
    assertThat(r.toJson().get("conflicts").get(0).get("since").asText()).isEqualTo(T.minus(Duration.ofMinutes(58)).toString());
    assertThat(r.toJson().get("conflicts").get(0).get("hosts").get(1).get("mac").asText()).isEqualTo("00:0c:29:3e:1a:12");
  }

  @Test
  void aClaimFromAMacThatHeldTheAddressBeforeTheConflictOutranksAFreshClaimFromAnUnknownMac() {
    evidence.heldOn("h-pc17", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, null)
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:12", T.minus(Duration.ofMinutes(58)), null);

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17", "h-pc18");
    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.467).isLessThan(0.5);
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.233);
    assertThat(r.warnings()).anyMatch(w -> w.contains("the claim of PC17 (h-pc17) comes from a MAC address that held"
        + " 10.20.3.20 before the conflict began"));
    assertThat(r.toJson().get("conflicts").get(0).get("hosts").get(0).get("established").asBoolean()).isTrue();
    assertThat(r.toJson().get("conflicts").get(0).get("hosts").get(1).get("established").asBoolean()).isFalse();
  }

  @Test
  void aNewcomerWhoseMacHeldTheAddressInAnEarlierTenureIsEstablishedToo() {
    evidence.heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:12", DAY_BEFORE.minus(Duration.ofDays(1)), DAY_BEFORE)
        .heldOn("h-pc17", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, null)
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:12", T.minus(Duration.ofMinutes(58)), null);

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.35);
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.35);
  }

  @Test
  void aClaimWithoutAMacIsFresh() {
    evidence.heldOn("h-pc17", "10.20.3.20", "", DAY_BEFORE, null)
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:12", T.minus(Duration.ofMinutes(58)), null);

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.35);
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.35);
  }

  @Test
  void aFreshClaimantThatSentTheWormsMailStillOutranksTheEstablishedOne() {
    evidence.heldOn("h-pc17", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, null)
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:12", T.minus(Duration.ofMinutes(58)), null)
        .egress("h-pc18", T.minus(Duration.ofMinutes(1)), T, false, "192.0.2.25");

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).startsWith("h-pc18");
  }

  @Test
  void twoClaimantsWithTheSameMacAreSaidToBeAClonedMachineOrAForgery() {
    evidence.heldOn("h-pc17", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, null)
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, null);

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.warnings()).anyMatch(w -> w.contains("report the same MAC address"));
  }

  @Test
  void aSilentFormerHolderWhoseAddressPassedOnStaysAWeakerCandidateAndTheAnswerSaysWhy() {
    Instant lastReport = T.minus(Duration.ofHours(5));
    evidence.heldThenSilent("h-pc17", "10.20.3.17", DAY_BEFORE, lastReport, Duration.ofHours(2))
        .held("h-pc18", "10.20.3.17", T.minus(Duration.ofHours(1)), null);

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    // The newcomer's claim is a report too, and a worm may have killed the silent host's agent.
    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc18", "h-pc17");
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.70);
    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.30);
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("PC17 (h-pc17) reported 10.20.3.17 until " + lastReport)
        && w.contains("PC18 (h-pc18) has held it since " + T.minus(Duration.ofHours(1)))
        && w.contains("the address most likely passed on"));
    assertThat(r.conflicts()).isEmpty();
  }

  @Test
  void aClaimantCopyingASilentHostsMacGainsNoEstablishedShareOverIt() {
    evidence.heldOnThenSilent("h-pc17", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, T.minus(Duration.ofMinutes(90)),
            Duration.ofHours(2))
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:07", T.minus(Duration.ofMinutes(58)), null);

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.35);
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.35);
    assertThat(r.warnings()).anyMatch(w -> w.contains("report the same MAC address"));
  }

  @Test
  void aSilentFormerHolderStaysAWeakerCandidateWhenNoHostTookTheAddressOver() {
    Instant lastReport = T.minus(Duration.ofHours(5));
    evidence.heldThenSilent("h-pc17", "10.20.3.17", DAY_BEFORE, lastReport, Duration.ofHours(2));

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
    assertThat(r.warnings()).anyMatch(w -> w.contains("PC17 (h-pc17)") && w.contains("silent since " + lastReport));
  }

  @Test
  void aHostThatFellSilentBeforeANewcomersClaimIsNotEstablishedAgainstItWhateverItsMacHistory() {
    // PC17's MAC held the address for a day, but its agent last reported 90 minutes ago; PC18 has
    // reported the address for 58 minutes. PC17 never saw that claim, so it cannot outrank it.
    evidence.heldOnThenSilent("h-pc17", "10.20.3.20", "00:0c:29:3e:1a:07", DAY_BEFORE, T.minus(Duration.ofMinutes(90)),
            Duration.ofHours(2))
        .heldOn("h-pc18", "10.20.3.20", "00:0c:29:3e:1a:12", T.minus(Duration.ofMinutes(58)), null);

    TriageResult r = triage(complaint("10.20.3.20", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.35);
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.35);
    assertThat(r.toJson().get("conflicts").get(0).get("hosts").get(0).get("established").asBoolean()).isFalse();
  }

  @Test
  void aSilentHostStillHoldsItsAddressWithinTheGracePeriod() {
    evidence.heldThenSilent("h-pc17", "10.20.3.17", DAY_BEFORE, T.minus(Duration.ofMinutes(90)), Duration.ofHours(2));

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.70);
    assertThat(r.warnings()).noneMatch(w -> w.contains("silent since"));
  }

  @Test
  void aHostSilentForMoreThanAWeekAfterItsHoldingLapsedIsNoLongerACandidate() {
    evidence.heldThenSilent("h-pc17", "10.20.3.17", T.minus(Duration.ofDays(30)), T.minus(Duration.ofDays(9)),
        Duration.ofHours(2));

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).doesNotContain("h-pc17");
  }

  @Test
  void aMailServerHoldingTheOriginIsATrustedHopNeverACandidate() {
    evidence.held("h-relay", "10.20.0.25", DAY_BEFORE, null).mailServer("h-relay")
        .egress("h-relay", T, T.plus(Duration.ofMinutes(1)), true, "192.0.2.25")
        .egress("h-pc17", T.minus(Duration.ofMinutes(1)), T, false, "10.20.0.25");

    TriageResult r = triage(complaint("10.20.0.25", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
    assertThat(r.warnings()).anyMatch(w -> w.contains("relay (h-relay), which has the mail-server role"));
  }

  @Test
  void aMailServerIsNeverACandidateEvenThroughItsAddressBook() {
    evidence.mailServer("h-relay").harvested("h-relay", "alice@example.edu", "bob@example.net");

    TriageResult r = triage(complaint("203.0.113.9", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).doesNotContain("h-relay");
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("relay (h-relay) has the mail-server role"));
  }

  @Test
  void aHostHoldingATrustedHopsAddressIsNeverACandidate() throws Exception {
    // The lab relay 10.20.0.25 is in --trust; the walk steps through it to PC17's 10.20.3.17.
    String mail = "Received: from relay.lab.example.edu (relay.lab.example.edu [10.20.0.25]) by mx.example.net"
        + " (192.0.2.25) with ESMTP; " + RFC5322.format(T) + "\r\nReceived: from PC17 (unknown [10.20.3.17])"
        + " by relay.lab.example.edu (10.20.0.25) with SMTP; " + RFC5322.format(T) + "\r\nFrom: alice@example.edu"
        + "\r\nTo: bob@example.net\r\nSubject: honey\r\n\r\nbody\r\n";
    ParsedComplaint c = ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.of(List.of("10.20.0.25")));
    evidence.held("h-relay", "10.20.0.25", DAY_BEFORE, null).harvested("h-relay", "alice@example.edu")
        .held("h-pc17", "10.20.3.17", DAY_BEFORE, null);

    TriageResult r = triage(c);

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
    assertThat(r.warnings()).anyMatch(w -> w.contains("relay (h-relay) held 10.20.0.25, a trusted hop"));
  }

  @Test
  void aHostHoldingTheOriginStaysASuspectWhenItAlsoClaimsATrustedHopsAddress() throws Exception {
    // PC17's lying agent adds the relay's 10.20.0.25 to its interfaces to pass as a trusted hop.
    String mail = "Received: from relay.lab.example.edu (relay.lab.example.edu [10.20.0.25]) by mx.example.net"
        + " (192.0.2.25) with ESMTP; " + RFC5322.format(T) + "\r\nReceived: from PC17 (unknown [10.20.3.17])"
        + " by relay.lab.example.edu (10.20.0.25) with SMTP; " + RFC5322.format(T) + "\r\nFrom: alice@example.edu"
        + "\r\nTo: bob@example.net\r\nSubject: honey\r\n\r\nbody\r\n";
    ParsedComplaint c = ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.of(List.of("10.20.0.25")));
    evidence.held("h-relay", "10.20.0.25", DAY_BEFORE, null)
        .held("h-pc17", "10.20.3.17", DAY_BEFORE, null).held("h-pc17", "10.20.0.25", DAY_BEFORE, null);

    TriageResult r = triage(c);

    assertThat(r.candidates()).extracting(Candidate::hostId).first().isEqualTo("h-pc17");
    assertThat(r.candidates().get(0).confidence()).isGreaterThanOrEqualTo(0.5);
    assertThat(r.candidates()).extracting(Candidate::hostId).doesNotContain("h-relay");
  }

  // ---- egress ---------------------------------------------------------------------------

  @Test
  void smtpEgressWithinTheWindowCorroboratesTheHolder() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .egress("h-pc17", T.plus(Duration.ofMinutes(3)), T.plus(Duration.ofMinutes(4)), false, "198.51.100.9");

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.88);
    assertThat(r.candidates().get(0).reasons()).anyMatch(s -> s.startsWith("SMTP egress") && s.contains("±10 min"));
  }

  @Test
  void egressOutsideTheWindowDoesNotCount() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .egress("h-pc17", T.plus(Duration.ofMinutes(30)), T.plus(Duration.ofMinutes(31)), false, "198.51.100.9");

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.70);
  }

  @Test
  void egressWindowIsConfigurable() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .egress("h-pc17", T.plus(Duration.ofMinutes(30)), T.plus(Duration.ofMinutes(31)), false, "198.51.100.9");

    TriageResult r = new Triage(evidence, KEY, new TriageOptions(Duration.ofMinutes(45), 20))
        .triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.88);
  }

  @Test
  void egressToTheMtaThatRecordedTheOriginIsStrongerStill() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .egress("h-pc17", T.minus(Duration.ofMinutes(1)), T, false, "192.0.2.25");

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.925);
  }

  @Test
  void natOriginRanksHostsByNonAllowedEgressAtThatTimeOnly() {
    // Worm-like mailings (25 connections each): only such egress, or egress to the recording MTA, ranks.
    evidence.egressBurst("h-pc17", "wink.exe", T.minus(Duration.ofMinutes(2)), T, 25, false, "198.51.100.9")
        .egressBurst("h-pc18", "wink.exe", T, T.plus(Duration.ofMinutes(2)), 25, false, "198.51.100.10")
        .egress("h-relay", T, T.plus(Duration.ofMinutes(1)), true, "198.51.100.11")
        .egress("h-pc19", T.plus(Duration.ofHours(1)), T.plus(Duration.ofHours(2)), false, "198.51.100.12");

    TriageResult r = triage(complaint("203.0.113.1", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactlyInAnyOrder("h-pc17", "h-pc18");
    assertThat(r.candidates()).allSatisfy(c -> assertThat(c.confidence()).isEqualTo(0.25));
    assertThat(r.warnings()).anyMatch(w -> w.contains("no host held 203.0.113.1") && w.contains("NAT"));
  }

  @Test
  void natOriginHostThatContactedTheRecordingMtaRanksFirst() {
    evidence.egressBurst("h-pc17", "wink.exe", T.minus(Duration.ofMinutes(2)), T, 25, false, "198.51.100.9")
        .egressBurst("h-pc18", "wink.exe", T, T.plus(Duration.ofMinutes(2)), 25, false, "198.51.100.10", "192.0.2.25");

    TriageResult r = triage(complaint("203.0.113.1", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc18", "h-pc17");
    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(0.70);
    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.25);
  }

  @Test
  void ordinaryMailSendingNearAnOriginNoHostHeldRanksNoOne() {
    // R1 (issue 15, round 5): a mail client's one submission to our submission server, elsewhere
    // than the MTA that recorded the origin, is not this mail.
    evidence.egressBurst("h-pc17", "thunderbird.exe", T.minus(Duration.ofMinutes(1)), T, 1, false, "10.20.0.30");

    TriageResult r = triage(complaint("10.20.3.200", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).isEmpty();
    assertThat(r.warnings()).anyMatch(w -> w.contains("ordinary mail sending") && w.contains("PC17 (h-pc17)"));
  }

  @Test
  void egressOnlyToTheRecordingMtaWithoutAWormsMailingStaysBelowTheRecordingThreshold() {
    evidence.egressBurst("h-pc18", "thunderbird.exe", T.minus(Duration.ofMinutes(1)), T, 2, false, "192.0.2.25");

    TriageResult r = triage(complaint("10.20.3.200", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc18")).isEqualTo(Triage.SILENT_HOLDER_FALLBACK_CAP);
  }

  /** The boundary line records an authenticated submission by account harold. */
  private static ParsedComplaint authenticated(String ip, Instant at) {
    String mail = "Received: from [" + ip + "] (unknown [" + ip + "]) (Authenticated sender: harold)"
        + " by mx.example.net (192.0.2.25) with ESMTPSA; " + RFC5322.format(at)
        + "\r\nFrom: harold@example.edu\r\nTo: bob@example.net\r\nSubject: minutes\r\n\r\nbody\r\n";
    try {
      return ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.none());
    } catch (NotAMailMessageException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anAuthenticatedBoundaryIsTheAccountsActItsHolderStaysBelowTheRecordingThreshold() {
    // R2 (issue 15, round 5): the client's own connections to the MTA are the submission itself.
    evidence.held("h-pc17", "10.20.3.12", DAY_BEFORE, null)
        .egressBurst("h-pc17", "thunderbird.exe", T.minus(Duration.ofMinutes(1)), T, 2, false, "192.0.2.25");

    TriageResult r = triage(authenticated("10.20.3.12", T));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(r.warnings()).anyMatch(w -> w.contains("authenticated submission (account harold)"));
  }

  @Test
  void anAuthenticatedBoundarysHolderWhoseEgressLooksLikeAWormsMailingKeepsItsFullWeight() {
    evidence.held("h-pc17", "10.20.3.12", DAY_BEFORE, null)
        .egressBurst("h-pc17", "svchost.exe", T.minus(Duration.ofMinutes(1)), T, 30, false, "198.51.100.7");

    TriageResult r = triage(authenticated("10.20.3.12", T));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.88);
  }

  @Test
  void theAccountOfAnAuthenticatedLineIsReadFromTheCommonMtaShapes() {
    assertThat(Triage.authenticatedAccount("from x ([10.0.0.1]) (Authenticated sender: harold) by mx")).isEqualTo("harold");
    assertThat(Triage.authenticatedAccount("from x ([10.0.0.1]) (authenticated as carol@example.edu) by mx"))
        .isEqualTo("carol@example.edu");
    assertThat(Triage.authenticatedAccount("from x ([10.0.0.1]) (AUTH: LOGIN janet, TLS: TLSv1.2) by mx")).isEqualTo("janet");
    assertThat(Triage.authenticatedAccount("from x ([10.0.0.1]) by mx with esmtpsa (Exim 4.96)")).isEmpty();
  }

  @Test
  void holderThatOnlySendsAllowedMailIsTreatedAsAnUntrustedRelay() {
    evidence.held("h-relay", "198.51.100.5", DAY_BEFORE, null)
        .egress("h-relay", T, T.plus(Duration.ofMinutes(1)), true, "192.0.2.25")
        .egress("h-pc17", T.minus(Duration.ofMinutes(1)), T, false, "198.51.100.5");

    TriageResult r = triage(complaint("198.51.100.5", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-relay")).isEqualTo(0.70);
    assertThat(r.candidates().get(0).reasons()).anyMatch(s -> s.endsWith("allowed by policy: no weight"));
    // "Allowed" is the relay's own agent's claim: the others' egress-only weight stays below 0.5.
    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(Triage.ALLOWED_HOLDER_FALLBACK_CAP);
    assertThat(r.warnings()).anyMatch(w -> w.contains("--trust"));
  }

  // ---- address book ---------------------------------------------------------------------

  @Test
  void addressBookRanksTheHostHoldingEveryAddressAboveDecoysThatShareSome() {
    evidence.harvested("h-pc17", "victim@example.edu", "x@example.net", "y@example.org", "unrelated@example.com")
        .harvested("h-pc18", "victim@example.edu", "y@example.org")
        .harvested("h-pc19", "x@example.net");

    TriageResult r = triage(complaintWithoutOrigin("Victim <victim@example.edu>", "x@example.net", "Y <Y@Example.ORG>"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17", "h-pc18", "h-pc19");
    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.70);  // 0.8 · (1 − 2^−3) · 3/3 / 1
    assertThat(confidenceOf(r, "h-pc18")).isCloseTo(0.233, within(0.0005)); // · 2/3 / 2
    assertThat(confidenceOf(r, "h-pc19")).isCloseTo(0.078, within(0.0005)); // · 1/3 / 3
    assertThat(r.candidates().get(0).reasons()).anyMatch(s -> s.contains("holds 3 of the 3"));
  }

  @Test
  void severalComplaintsTogetherSeparateTheSenderFromADecoy() {
    evidence.harvested("h-pc17", "a@example.edu", "b@example.net", "c@example.edu", "d@example.net",
            "e@example.edu", "f@example.net")
        .harvested("h-pc18", "a@example.edu", "b@example.net");
    ParsedComplaint first = complaintWithoutOrigin("a@example.edu", "b@example.net");

    TriageResult one = triage(first);
    TriageResult three = triage(first, complaintWithoutOrigin("c@example.edu", "d@example.net"),
        complaintWithoutOrigin("e@example.edu", "f@example.net"));

    assertThat(confidenceOf(one, "h-pc17")).isEqualTo(confidenceOf(one, "h-pc18"));
    assertThat(three.candidates().get(0).hostId()).isEqualTo("h-pc17");
    assertThat(confidenceOf(three, "h-pc17")).isGreaterThan(0.75);
    assertThat(confidenceOf(three, "h-pc18")).isLessThan(0.2);
  }

  @Test
  void claimedSendersOwnMachineDoesNotScoreOnItsOwnAddress() {
    evidence.owns("h-victim", "victim@example.edu")
        .harvested("h-victim", "victim@example.edu", "colleague@example.edu")
        .harvested("h-pc17", "victim@example.edu", "colleague@example.edu");

    TriageResult r = triage(complaintWithoutOrigin("victim@example.edu", "colleague@example.edu"));

    assertThat(r.candidates().get(0).hostId()).isEqualTo("h-pc17");
    assertThat(confidenceOf(r, "h-victim")).isLessThan(confidenceOf(r, "h-pc17"));
    assertThat(r.candidates()).filteredOn(c -> c.hostId().equals("h-victim"))
        .singleElement().satisfies(c -> assertThat(c.reasons()).anyMatch(s -> s.contains("not counted")));
    assertThat(r.claimedSender()).contains("victim@example.edu");
    assertThat(r.claimedSenderHost().map(HostState::hostname)).contains("VICTIM-PC");
  }

  @Test
  void everyMachineOfTheClaimedSenderDoesNotScoreOnItsOwnAddressNotOnlyTheFirst() {
    evidence.host("h-laptop", "VICTIM-LAPTOP")
        .owns("h-victim", "victim@example.edu").owns("h-laptop", "victim@example.edu")
        .harvested("h-victim", "victim@example.edu", "colleague@example.edu")
        .harvested("h-laptop", "victim@example.edu", "colleague@example.edu")
        .harvested("h-pc17", "victim@example.edu", "colleague@example.edu");

    TriageResult r = triage(complaintWithoutOrigin("victim@example.edu", "colleague@example.edu"));

    assertThat(r.candidates().get(0).hostId()).isEqualTo("h-pc17");
    assertThat(confidenceOf(r, "h-laptop")).isLessThan(confidenceOf(r, "h-pc17"));
    assertThat(confidenceOf(r, "h-laptop")).isEqualTo(confidenceOf(r, "h-victim"));
  }

  @Test
  void theRecipientsOwnMachineDoesNotScoreOnTheAddressesOfTheMessageItReceived() {
    // R7 (issue 15, round 5): Carol received the worm's mail; her mailbox now holds the forged
    // From: and her own address because of it. That is not evidence that her PC sent it.
    evidence.owns("h-pc19", "carol@example.edu").harvested("h-pc19", "harold@example.edu", "carol@example.edu");

    TriageResult r = triage(complaint("203.0.113.5", T, "harold@example.edu", "carol@example.edu"));

    assertThat(confidenceOf(r, "h-pc19")).isZero();
  }

  @Test
  void theRecipientsMachineIsNoRivalOfTheRealSenderInADirectSend() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .owns("h-pc19", "carol@example.edu").owns("h-pc19", "c.smith@example.edu")
        .harvested("h-pc19", "harold@example.edu", "carol@example.edu", "dave@example.edu");

    TriageResult r = triage(complaint("10.20.3.17", T, "harold@example.edu", "carol@example.edu", "dave@example.edu"));

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
  }

  @Test
  void aRecipientsMachineStillScoresOnAnotherComplaintsAddressesItDidNotReceive() {
    evidence.owns("h-pc19", "carol@example.edu")
        .harvested("h-pc19", "harold@example.edu", "carol@example.edu", "x@example.net", "y@example.org");

    TriageResult r = triage(complaintWithoutOrigin("harold@example.edu", "carol@example.edu"),
        complaintWithoutOrigin("x@example.net", "y@example.org"));

    assertThat(confidenceOf(r, "h-pc19")).isPositive();
    assertThat(r.candidates()).filteredOn(c -> c.hostId().equals("h-pc19")).singleElement()
        .satisfies(c -> assertThat(c.reasons()).anyMatch(s -> s.contains("holds 2 of the 4")
            && s.contains("recipient carol@example.edu")));
  }

  // ---- combining ------------------------------------------------------------------------

  @Test
  void networkAndAddressBookEvidenceCombine() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .harvested("h-pc17", "alice@example.edu", "bob@example.net");

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.88); // 1 − (1 − 0.70)(1 − 0.60)
  }

  @Test
  void aCandidateFromAnOriginOutsideTheFleetRestsOnTheAddressBookAloneAndIsMarkedSo() {
    evidence.harvested("h-pc17", "alice@example.edu", "it@example.edu", "bob@example.net");

    // The origin 203.0.113.5 was never held by a fleet host; the sender chose all three addresses.
    TriageResult r = triage(complaint("203.0.113.5", T, "alice@example.edu", "it@example.edu", "bob@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.70);
    assertThat(r.candidates()).singleElement().satisfies(c -> assertThat(c.networkEvidence()).isFalse());
  }

  @Test
  void theHolderOfTheOriginIsMarkedAsTiedToIt() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .harvested("h-pc17", "alice@example.edu", "bob@example.net");

    TriageResult r = triage(complaint("10.20.3.17", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).singleElement().satisfies(c -> assertThat(c.networkEvidence()).isTrue());
  }

  @Test
  void holderInSeveralComplaintsGrowsMoreCertain() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null);

    TriageResult r = triage(complaint("10.20.3.17", T, "a@example.edu", "b@example.net"),
        complaint("10.20.3.17", T.plus(Duration.ofHours(2)), "c@example.edu", "d@example.net"));

    assertThat(confidenceOf(r, "h-pc17")).isEqualTo(0.91);
    assertThat(r.candidates().get(0).reasons()).anyMatch(s -> s.startsWith("complaint 2: held"));
  }

  @Test
  void noEvidenceGivesNoCandidateAndSaysSo() {
    TriageResult r = triage(complaint("203.0.113.1", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).isEmpty();
    assertThat(r.warnings()).contains("no host matches the evidence");
    assertThat(r.origin().map(Origin::ip)).contains("203.0.113.1");
  }

  @Test
  void candidateListIsCappedByTheOptions() {
    evidence.egressBurst("h-pc17", "wink.exe", T, T, 25, false, "198.51.100.1")
        .egressBurst("h-pc18", "wink.exe", T, T, 25, false, "198.51.100.1")
        .egressBurst("h-pc19", "wink.exe", T, T, 25, false, "198.51.100.1");

    TriageResult r = new Triage(evidence, KEY, new TriageOptions(Duration.ofMinutes(10), 2))
        .triage(complaint("203.0.113.1", T, "alice@example.edu", "bob@example.net"));

    assertThat(r.candidates()).hasSize(2);
    assertThat(r.warnings()).anyMatch(w -> w.contains("only the first 2"));
  }

  @Test
  void emptyKeyAndEmptyComplaintListAreRejected() {
    assertThatThrownBy(() -> new Triage(evidence, new byte[0], TriageOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Triage(evidence, KEY, TriageOptions.defaults()).triage(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
