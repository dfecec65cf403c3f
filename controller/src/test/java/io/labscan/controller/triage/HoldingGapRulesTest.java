package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The rules for gaps and silences in a host's own reports of an address (issue 15, red-team round
 * 6): a short gap between two tenures (N2), a report of the address gone followed by silence
 * (R10), and the wording of a holding inside the grace after a silent host's last report (R6).
 */
class HoldingGapRulesTest {
  private static final byte[] KEY = "fleet-key-for-tests-0123456789ab".getBytes(StandardCharsets.US_ASCII);
  private static final Instant T = Instant.parse("2024-01-15T10:00:00Z");
  private static final Instant DAY_BEFORE = T.minus(Duration.ofDays(1));
  private static final String IP = "10.20.3.17";
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final FakeEvidence fake = new FakeEvidence(KEY).host("h-pc17", "PC17").host("h-pc18", "PC18");
  private final List<AddressHolding> extra = new ArrayList<>();

  // ---- N2: a short gap -----------------------------------------------------------------------

  @Test
  void mailInAShortGapBetweenTwoTenuresOfOneHostMakesItAWeakCandidateThatIsNotNetworkEvidence() {
    fake.held("h-pc17", IP, DAY_BEFORE, T.minus(Duration.ofMinutes(5))).held("h-pc17", IP, T.plus(Duration.ofMinutes(4)), null);

    TriageResult r = triage();

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
    Candidate c = r.candidates().get(0);
    assertThat(c.confidence()).isEqualTo(Triage.GAP_HOLDER);
    assertThat(c.networkEvidence()).isFalse();
    assertThat(c.reasons()).anyMatch(s -> s.startsWith("held 10.20.3.17 until " + T.minus(Duration.ofMinutes(5))
        + " and again from " + T.plus(Duration.ofMinutes(4)) + "; not reported during the gap"));
    assertThat(AnswerSentence.of(r)).contains("PC17 (held 10.20.3.17 before and after a short gap in its reports");
  }

  @Test
  void aGapCandidatesOneOrdinarySendingToTheRecordingMtaIsNetworkEvidenceCappedBelowRecording() {
    fake.held("h-pc17", IP, DAY_BEFORE, T.minus(Duration.ofMinutes(5))).held("h-pc17", IP, T.plus(Duration.ofMinutes(4)), null)
        .egress("h-pc17", T.minusSeconds(30), T.plusSeconds(30), false, "192.0.2.25");

    Candidate c = triage().candidates().get(0);

    // One ordinary sending does not confirm a holding no report shows (red team round 8, T2).
    assertThat(c.networkEvidence()).isTrue();
    assertThat(c.networkConfidence()).isGreaterThan(Triage.GAP_HOLDER).isLessThan(0.5);
  }

  @Test
  void aGapAsLongAsTheGraceIsNoGap() {
    fake.held("h-pc17", IP, DAY_BEFORE, T.minus(Duration.ofMinutes(60)))
        .held("h-pc17", IP, T.plus(Duration.ofMinutes(60)), null);

    assertThat(triage().candidates()).isEmpty();
  }

  @Test
  void anotherHostsClaimInsideTheGapMeansTheAddressWasNotTheGapHostsThen() {
    fake.held("h-pc17", IP, DAY_BEFORE, T.minus(Duration.ofMinutes(5))).held("h-pc17", IP, T.plus(Duration.ofMinutes(4)), null)
        .held("h-pc18", IP, T.minus(Duration.ofMinutes(3)), T.minus(Duration.ofMinutes(1)));

    assertThat(triage().candidates()).extracting(Candidate::hostId).doesNotContain("h-pc17");
  }

  // ---- R10: reported gone, then silent --------------------------------------------------------

  @Test
  void aHostThatReportedTheAddressGoneAndFellSilentIsAWeakCandidateForMailInTheSilence() {
    Instant gone = T.minus(Duration.ofMinutes(20));
    Instant last = T.minus(Duration.ofMinutes(17));
    extra.add(goneThenSilent("h-pc17", gone, last));

    TriageResult r = triage();

    assertThat(r.candidates()).extracting(Candidate::hostId).containsExactly("h-pc17");
    Candidate c = r.candidates().get(0);
    assertThat(c.confidence()).isEqualTo(Triage.SILENT_HOLDER);
    assertThat(c.networkEvidence()).isFalse();
    assertThat(c.reasons()).anyMatch(s -> s.startsWith("reported 10.20.3.17 gone at " + gone + ", silent since " + last));
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("PC17 (h-pc17) reported 10.20.3.17 gone at " + gone));
  }

  @Test
  void aHostThatReportedTheAddressGoneIsNoCandidateWhenAnotherHostHeldItSince() {
    extra.add(goneThenSilent("h-pc17", T.minus(Duration.ofMinutes(20)), T.minus(Duration.ofMinutes(17))));
    fake.held("h-pc18", IP, T.minus(Duration.ofMinutes(15)), T.minus(Duration.ofMinutes(10)));

    assertThat(triage().candidates()).extracting(Candidate::hostId).doesNotContain("h-pc17");
  }

  @Test
  void theSilenceAfterAReportedEndCountsOnlyWithinTheSilentHorizon() {
    extra.add(goneThenSilent("h-pc17", T.minus(Duration.ofDays(8)), T.minus(Duration.ofDays(8)).plusSeconds(180)));

    assertThat(triage().candidates()).isEmpty();
  }

  @Test
  void reportedGoneThenSilentHoldsFromTheLastReportOnNeverBefore() {
    Instant gone = T.minus(Duration.ofMinutes(20));
    Instant last = T.minus(Duration.ofMinutes(17));
    AddressHolding h = goneThenSilent("h-pc17", gone, last);

    assertThat(h.reportedGoneThenSilentAt(T)).isTrue();
    assertThat(h.reportedGoneThenSilentAt(last)).isTrue();
    assertThat(h.reportedGoneThenSilentAt(last.minusSeconds(1))).isFalse();
    assertThat(new AddressHolding("h-pc17", "PC17", IP, DAY_BEFORE, Optional.of(gone)).reportedGoneThenSilentAt(T))
        .isFalse();
  }

  // ---- R6: inside the grace ---------------------------------------------------------------------

  @Test
  void insideTheGraceTheReasonAndTheSentenceSayTheHoldingIsAssumedFromTheLastReport() {
    Instant last = T.minus(Duration.ofMinutes(30));
    fake.heldThenSilent("h-pc17", IP, DAY_BEFORE, last, Duration.ofHours(2));

    TriageResult r = triage();

    Candidate c = r.candidates().get(0);
    assertThat(c.confidence()).isEqualTo(0.70);
    assertThat(c.reasons()).anyMatch(s -> s.startsWith("last reported 10.20.3.17 at " + last
        + ", silent since; assumed to still hold it within the 2 h grace (origin at " + T))
        .noneMatch(s -> s.startsWith("held 10.20.3.17 at"));
    assertThat(AnswerSentence.of(r)).startsWith("Sent by PC17 (last reported 10.20.3.17 at 09:30:00 UTC on 2024-01-15,"
        + " silent since; assumed to still hold it within the 2 h grace) at 10:00:00 UTC on 2024-01-15");
  }

  @Test
  void aMailBeforeTheLastReportIsAReportedHolding() {
    fake.heldThenSilent("h-pc17", IP, DAY_BEFORE, T.plus(Duration.ofMinutes(30)), Duration.ofHours(2));

    TriageResult r = triage();

    assertThat(r.candidates().get(0).reasons()).anyMatch(s -> s.startsWith("held 10.20.3.17 at " + T));
    assertThat(AnswerSentence.of(r)).startsWith("Sent by PC17 (10.20.3.17) at");
  }

  private static AddressHolding goneThenSilent(String hostId, Instant gone, Instant last) {
    return new AddressHolding(hostId, "PC17", IP, DAY_BEFORE, Optional.of(gone), "", "", Optional.empty(),
        Optional.empty(), DAY_BEFORE, Optional.of(last));
  }

  private TriageResult triage() {
    String mail = "Received: from PC (unknown [" + IP + "]) by mx.example.net (192.0.2.25) with SMTP; "
        + RFC5322.format(T) + "\r\nFrom: alice@example.edu\r\nTo: bob@example.net\r\nSubject: honey\r\n\r\nbody\r\n";
    try {
      ParsedComplaint c = ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.none());
      return new Triage(new WithExtraHoldings(), KEY, TriageOptions.defaults()).triage(List.of(c));
    } catch (NotAMailMessageException e) {
      throw new AssertionError(e);
    }
  }

  /** {@link FakeEvidence} plus holdings it cannot build (a silence after a reported end). */
  private final class WithExtraHoldings implements TriageEvidence {
    @Override
    public List<AddressHolding> holdersOf(String ip, Instant at) {
      return Stream.concat(fake.holdersOf(ip, at).stream(), extra.stream().filter(h -> h.ip().equals(ip))).toList();
    }

    @Override
    public List<EgressHit> egressNear(Collection<String> hostIds, Instant from, Instant to) {
      return fake.egressNear(hostIds, from, to);
    }

    @Override
    public List<EgressHit> unallowedEgressBetween(Instant from, Instant to) {
      return fake.unallowedEgressBetween(from, to);
    }

    @Override
    public Map<String, Integer> harvestMatches(Collection<byte[]> digests) {
      return fake.harvestMatches(digests);
    }

    @Override
    public Optional<HostState> hostOwningAddress(String emailAddress) {
      return fake.hostOwningAddress(emailAddress);
    }

    @Override
    public Optional<HostState> host(String hostId) {
      return fake.host(hostId);
    }

    @Override
    public Set<String> mailServerIds() {
      return fake.mailServerIds();
    }
  }
}
