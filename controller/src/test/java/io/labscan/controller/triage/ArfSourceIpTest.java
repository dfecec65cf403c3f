package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * An ARF report's Source-IP confirms a deeper line of its copy only when the reporter could have
 * seen that line being written (issue 15, red-team round 4, F4): the line handed to the
 * reporter's top line, or a line reached through lines written inside the reporter's own
 * organisation. It never jumps over a line another organisation wrote.
 */
class ArfSourceIpTest {

  @Test
  void sourceIpNeverJumpsOverALineAnotherOrganisationWroteToAForgedLineBelow() {
    Origin o = Corpus.parse("arf-source-ip-skips-foreign-line.eml", "mx.campus.example.edu").origin().orElseThrow();

    assertThat(o.ip()).as("the walk's answer stands: the relay the reporter saw").isEqualTo("198.51.100.5");
    assertThat(o.hop()).isZero();
    assertThat(o.crossChecks()).anyMatch(n -> n.contains("Source-IP 10.20.3.12") && n.contains("DISAGREES"));
  }

  @Test
  void aTrustedRelayStillTakesTheWalkToTheRealLineBelowIt() {
    Origin o = Corpus.parse("arf-source-ip-skips-foreign-line.eml", "mx.campus.example.edu", "198.51.100.5")
        .origin().orElseThrow();

    assertThat(o.ip()).isEqualTo("10.20.3.17");
    assertThat(o.hop()).isEqualTo(1);
  }

  @Test
  void sourceIpConfirmsALineReachedThroughLinesTheReportersOwnOrganisationWrote() {
    Origin o = Corpus.parse("arf-source-ip-through-reporters-own-lines.eml").origin().orElseThrow();

    assertThat(o.ip()).isEqualTo("203.0.113.141");
    assertThat(o.hop()).isEqualTo(2);
    assertThat(o.crossChecks()).contains("the report's Source-IP 203.0.113.141 agrees with hop 2");
  }

  @Test
  void sourceIpNeverConfirmsALineAnotherOrganisationWroteEvenBelowTheReportersOwnLines() {
    Origin o = Corpus.parse("arf-source-ip-under-another-organisations-line.eml").origin().orElseThrow();

    assertThat(o.hop()).isZero();
    assertThat(o.ip()).isEqualTo("192.0.2.7");
    assertThat(o.crossChecks()).anyMatch(n -> n.contains("Source-IP 203.0.113.141") && n.contains("DISAGREES"));
  }
}
