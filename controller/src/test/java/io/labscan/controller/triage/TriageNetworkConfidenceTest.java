package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The rule of issue 15, red-team round 7 (S1, S2, S5): a candidate's network confidence — its
 * network weights after every cap, without the address book — decides recording and the
 * sentence's word; weights below the recording threshold never add up to it.
 */
class TriageNetworkConfidenceTest {
  private static final byte[] KEY = "fleet-key-for-tests-0123456789ab".getBytes(StandardCharsets.US_ASCII);
  private static final Instant T = Instant.parse("2024-01-15T10:00:00Z");
  private static final Instant DAY_BEFORE = T.minus(Duration.ofDays(1));
  private static final double RECORDING = 0.5;
  private static final String MX = "192.0.2.25";
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final FakeEvidence evidence = new FakeEvidence(KEY).host("h-pc17", "PC17").host("h-pc40", "PC40");

  private static ParsedComplaint parse(String mail) {
    try {
      return ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII), TrustConfig.none());
    } catch (NotAMailMessageException e) {
      throw new AssertionError(e);
    }
  }

  /** A complaint whose boundary, written by the MX, recorded {@code ip} at {@code at}. */
  private static ParsedComplaint complaint(String ip, Instant at, String from, String to) {
    return parse("Received: from PC (unknown [" + ip + "]) by mx.example.net (" + MX + ") with SMTP; "
        + RFC5322.format(at) + "\r\nFrom: " + from + "\r\nTo: " + to + "\r\nSubject: honey\r\n\r\nbody\r\n");
  }

  private TriageResult triage(ParsedComplaint... complaints) {
    return new Triage(evidence, KEY, TriageOptions.defaults()).triage(List.of(complaints));
  }

  private static Candidate candidate(TriageResult r, String hostId) {
    return r.candidates().stream().filter(c -> c.hostId().equals(hostId)).findFirst().orElseThrow();
  }

  @Test
  void theAddressBookRaisesTheShownConfidenceButNotTheNetworkConfidence() {
    // One message of a mail client to the recording MTA (capped at 0.45) and a colleague's address book.
    evidence.egressBurst("h-pc40", "OUTLOOK.EXE", T.minus(Duration.ofMinutes(4)), T.minus(Duration.ofMinutes(3)), 1,
        false, MX).harvested("h-pc40", "harold@example.edu", "carol@example.edu");

    Candidate c = candidate(triage(complaint("10.20.3.200", T, "harold@example.edu", "carol@example.edu")), "h-pc40");

    assertThat(c.confidence()).isGreaterThanOrEqualTo(RECORDING);
    assertThat(c.networkConfidence()).isEqualTo(Triage.SILENT_HOLDER_FALLBACK_CAP);
    assertThat(c.recordable(RECORDING)).isFalse();
    assertThat(c.reasons()).anyMatch(s -> s.startsWith("network evidence alone 0.450"));
  }

  @Test
  void oneEgressWindowSeenByTwoComplaintsOfABatchCountsOnce() {
    evidence.egressBurst("h-pc40", "OUTLOOK.EXE", T.minus(Duration.ofMinutes(1)), T, 1, false, MX);

    TriageResult r = triage(complaint("10.20.3.200", T, "harold@example.edu", "carol@example.edu"),
        complaint("10.20.3.200", T.plus(Duration.ofMinutes(3)), "erin@example.edu", "frank@example.edu"));

    assertThat(candidate(r, "h-pc40").networkConfidence()).isEqualTo(Triage.SILENT_HOLDER_FALLBACK_CAP);
    assertThat(candidate(r, "h-pc40").confidence()).isEqualTo(Triage.SILENT_HOLDER_FALLBACK_CAP);
    assertThat(candidate(r, "h-pc40").reasons()).anyMatch(s -> s.contains("do not add up"));
  }

  @Test
  void twoSilentHolderWeightsDoNotAddUpToARecordableOne() {
    evidence.heldThenSilent("h-pc17", "10.20.3.17", DAY_BEFORE, T.minus(Duration.ofHours(5)), Duration.ofHours(2));

    TriageResult r = triage(complaint("10.20.3.17", T, "a@example.edu", "b@example.net"),
        complaint("10.20.3.17", T.plus(Duration.ofMinutes(30)), "c@example.edu", "d@example.net"));

    assertThat(candidate(r, "h-pc17").networkConfidence()).isEqualTo(0.30);
    assertThat(candidate(r, "h-pc17").recordable(RECORDING)).isFalse();
  }

  @Test
  void aSilentHolderWhoseOwnEgressReachedTheRecordingMtaKeepsEveryWeight() {
    evidence.heldThenSilent("h-pc17", "10.20.3.17", DAY_BEFORE, T.minus(Duration.ofHours(5)), Duration.ofHours(2))
        .egressBurst("h-pc17", "wink.exe", T.minus(Duration.ofMinutes(1)), T, 25, false, MX);

    Candidate c = candidate(triage(complaint("10.20.3.17", T, "a@example.edu", "b@example.net")), "h-pc17");

    assertThat(c.networkConfidence()).isEqualTo(0.825); // 1 − (1 − 0.30)(1 − 0.75)
    assertThat(c.recordable(RECORDING)).isTrue();
  }

  @Test
  void anAuthenticatedSubmissionToAddressesInTheAccountsBookStaysBelowRecording() {
    evidence.held("h-pc17", "10.20.3.12", DAY_BEFORE, null)
        .egressBurst("h-pc17", "thunderbird.exe", T.minus(Duration.ofMinutes(1)), T, 1, false, MX)
        .harvested("h-pc17", "carol@example.edu", "erin@example.edu", "frank@example.edu");
    ParsedComplaint own = parse("Received: from [10.20.3.12] (unknown [10.20.3.12]) (Authenticated sender: harold)"
        + " by mx.example.net (" + MX + ") with ESMTPSA; " + RFC5322.format(T) + "\r\nFrom: harold@example.edu"
        + "\r\nTo: carol@example.edu, erin@example.edu, frank@example.edu\r\nSubject: minutes\r\n\r\nbody\r\n");

    Candidate c = candidate(triage(own), "h-pc17");

    assertThat(c.networkConfidence()).isEqualTo(Triage.UNRESOLVED_CARRIER_CAP);
    assertThat(c.recordable(RECORDING)).isFalse();
  }

  @Test
  void aCandidateOnTheAddressBookAloneHasNoNetworkConfidenceAndIsNotSaidToHaveSentIt() {
    evidence.harvested("h-pc40", "harold@example.edu", "carol@example.edu");

    TriageResult r = triage(complaint("198.51.100.77", T, "harold@example.edu", "carol@example.edu"));

    assertThat(candidate(r, "h-pc40").confidence()).isGreaterThanOrEqualTo(RECORDING);
    assertThat(candidate(r, "h-pc40").networkConfidence()).isZero();
    assertThat(candidate(r, "h-pc40").toJson().get("networkConfidence").asDouble()).isZero();
    assertThat(r.summary()).startsWith("Possibly sent by PC40").contains("confidence low")
        .contains("address book only");
  }

  @Test
  void aHolderWithMatchingEgressIsRecordableAndItsNetworkConfidenceLeavesOutTheAddressBook() {
    evidence.held("h-pc17", "10.20.3.17", DAY_BEFORE, null)
        .egressBurst("h-pc17", "wink.exe", T.minus(Duration.ofMinutes(1)), T, 25, false, MX)
        .harvested("h-pc17", "a@example.edu", "b@example.net");

    TriageResult r = triage(complaint("10.20.3.17", T, "a@example.edu", "b@example.net"));

    assertThat(candidate(r, "h-pc17").networkConfidence()).isEqualTo(0.925); // 1 − 0.30 · 0.25
    assertThat(candidate(r, "h-pc17").confidence()).isGreaterThan(0.925);
    assertThat(candidate(r, "h-pc17").recordable(RECORDING)).isTrue();
    assertThat(r.summary()).startsWith("Sent by PC17").contains("confidence high");
  }
}
