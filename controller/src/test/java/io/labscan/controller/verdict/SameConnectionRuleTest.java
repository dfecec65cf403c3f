package io.labscan.controller.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The same-connection rule (issue 15, N7) on hand-built evidence: a traced complaint's recording
 * MTA and the host's own one-connection session to it are shown as the same connection (a
 * SUSPECTED reason: since red team round 8 it convicts only with a second sign); anything a stray
 * innocent connection could match by chance is not.
 */
class SameConnectionRuleTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");
  private static final Instant LINE = NOW.minus(Duration.ofHours(1));
  private static final String MX = "192.0.2.25";
  private final VerdictRules rules = new VerdictRules(VerdictPolicy.defaults());

  /** One SMTP session of an unallowed process to {@code destination} starting {@code start}. */
  private static HostEvidence.Egress session(Instant start, String destination) {
    return new HostEvidence.Egress("r2", start, start.plusSeconds(60), 4242, "winkabcd.exe",
        "C:\\WINDOWS\\SYSTEM32\\WINKABCD.EXE", 1, 1, destination + "*1");
  }

  private static HostEvidence.Complaint traced(List<String> mta, List<String> rivals) {
    return new HostEvidence.Complaint("c1", 0.88, NOW.minusSeconds(600), "held 10.20.3.17", Optional.of(LINE), mta,
        rivals);
  }

  private Assessment evaluate(HostEvidence.Egress egress, HostEvidence.Complaint complaint) {
    return rules.evaluate(new HostEvidence("h1", "lab-pc-07", NOW.minusSeconds(60),
        Optional.of(NOW.minus(Duration.ofHours(8))), List.of(), List.of(), List.of(egress), List.of(complaint),
        false), NOW);
  }

  private static List<String> codes(Assessment a) {
    return a.reasons().stream().map(Reason::code).toList();
  }

  @Test
  void oneSessionToTheRecordingMtaCoveringItsLineIsShownAsTheSameConnectionButNotInfected() {
    Assessment a = evaluate(session(LINE.minusSeconds(20), MX + ":25"), traced(List.of(MX), List.of()));

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(codes(a)).contains(VerdictRules.SAME_CONNECTION);
  }

  @Test
  void aSessionToAnotherServerIsNotTheSameConnection() {
    Assessment a = evaluate(session(LINE.minusSeconds(20), "198.51.100.7:25"), traced(List.of(MX), List.of()));

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(codes(a)).doesNotContain(VerdictRules.SAME_CONNECTION);
  }

  @Test
  void aSubmissionToTheRecordingMtaIsAMailClientsNotTheSameConnection() {
    Assessment a = evaluate(session(LINE.minusSeconds(20), MX + ":587"), traced(List.of(MX), List.of()));

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(codes(a)).doesNotContain(VerdictRules.SAME_CONNECTION);
  }

  @Test
  void aSessionOutsideTheSlackOfTheLineIsNotTheSameConnection() {
    Assessment a = evaluate(session(LINE.minus(Duration.ofMinutes(25)), MX + ":25"), traced(List.of(MX), List.of()));

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(codes(a)).doesNotContain(VerdictRules.SAME_CONNECTION);
  }

  @Test
  void aTraceWithoutItsRecordingMtaMatchesNothing() {
    Assessment a = evaluate(session(LINE.minusSeconds(20), MX + ":25"), traced(List.of(), List.of()));

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(codes(a)).doesNotContain(VerdictRules.SAME_CONNECTION);
    assertThat(codes(a)).contains(VerdictRules.NOT_WORM_MAILING);
  }

  @Test
  void anotherHostReachingTheMtaThenMakesItATieAndNotInfected() {
    Assessment a = evaluate(session(LINE.minusSeconds(20), MX + ":25"), traced(List.of(MX), List.of("h2")));

    assertThat(a.verdict()).isEqualTo(Verdict.SUSPECTED);
    assertThat(codes(a)).contains(VerdictRules.SAME_CONNECTION_TIE);
  }

  @Test
  void anIpv6RecordingMtaMatchesItsBracketedDestination() {
    Assessment a = evaluate(session(LINE.minusSeconds(20), "[2001:db8::25]:25"),
        traced(List.of("2001:db8::25"), List.of()));

    assertThat(codes(a)).contains(VerdictRules.SAME_CONNECTION);
  }
}
