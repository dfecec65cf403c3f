package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team round 3 of issue 15 (trace): complaint shapes and trust-walk inputs that still blame
 * an innocent host. Each test asserts the correct behaviour and fails on the code it was written
 * against; the findings are in the branch's findings file (rt-trace-findings.md).
 *
 * <p>Campus as in CarrierAttackTest: mx1 198.51.100.5 (mail-server role), lab-pc-07 10.20.3.17
 * (the worm), lab-pc-12 10.20.3.12 (Harold's, innocent), lab-pc-30 10.20.3.30 (Janet's,
 * innocent).
 */
class RedTeamRound3TraceTest {
  private static final byte[] KEY = "fleet key for tests".getBytes(StandardCharsets.UTF_8);
  private static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");

  private static FakeEvidence campus() {
    return new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07").held("pc07", "10.20.3.17", DAY, null)
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null).owns("pc12", "harold@campus.example.edu")
        .host("pc30", "lab-pc-30").held("pc30", "10.20.3.30", DAY, null).owns("pc30", "janet@campus.example.edu");
  }

  private static byte[] bytes(String s) {
    return s.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The worm's mail as it sits in Janet's mailbox: lab-pc-07 -> mx1 -> mailbox. */
  private static final String WORM_MAIL_IN_JANETS_MAILBOX = """
      Received: from mx1.campus.example.edu (mx1.campus.example.edu [198.51.100.5])
      \tby mailbox.campus.example.edu (Postfix) with ESMTP id 5D2C1A0F33
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:13 +0000 (UTC)
      Received: from Wqkrtz (unknown [10.20.3.17])
      \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
      \tfor <janet@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
      From: Harold <harold@campus.example.edu>
      To: janet@campus.example.edu
      Subject: meeting notice
      Date: Sun, 6 Dec 2026 17:32:09 +0000
      Message-ID: <Z7Q2K1.4F00@Wqkrtz>
      MIME-Version: 1.0
      Content-Type: text/plain; charset="us-ascii"

      See you at the meeting.
      """;

  @Test
  void aComplaintRedirectedToAbuseIsNeverTracedToThePersonWhoRedirectedIt() throws Exception {
    // Janet uses her mail client's "Redirect" (Thunderbird, Apple Mail, mutt's bounce, Outlook's
    // "Resend"): the worm's mail goes to abuse@ unchanged, with a Resent- block (RFC 5322 §3.6.6)
    // on top, submitted from her PC lab-pc-30. Every line above the Resent- block describes her
    // redirect, not the complaint.
    FakeEvidence fleet = campus();
    byte[] redirected = bytes("""
        Received: from lab-pc-30.campus.example.edu (lab-pc-30.campus.example.edu [10.20.3.30])
        \tby mx1.campus.example.edu (Postfix) with ESMTP id 9A1B2C3D4E
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 18:05:40 +0000 (UTC)
        Resent-From: Janet Ortiz <janet@campus.example.edu>
        Resent-To: abuse@campus.example.edu
        Resent-Date: Sun, 6 Dec 2026 18:05:38 +0000
        Resent-Message-ID: <8c1f0e2a-11aa-4b7e-9d33-0a1b2c3d4e5f@campus.example.edu>
        """ + WORM_MAIL_IN_JANETS_MAILBOX);

    ParsedComplaint c = ComplaintParser.parse(redirected, TrustConfig.none().withFleet(fleet));
    TriageResult r = new Triage(fleet, KEY, TriageOptions.defaults()).triage(List.of(c));

    assertThat(r.candidates()).as("origin=%s tracedPart=%s candidates=%s", c.origin(), c.tracedPart(), r.candidates())
        .noneMatch(k -> k.hostname().equals("lab-pc-30"));
    assertThat(c.origin().map(Origin::ip)).isNotEqualTo(java.util.Optional.of("10.20.3.30"));
  }

  @Test
  void aTrustedCidrCoveringTheLabNeverMakesTheAddressOfALabHostWhoseAgentFellSilentAnMta() throws Exception {
    // The admin trusts the campus network (--trust 10.20.0.0/16, SpamAssassin's
    // internal_networks habit). Klez kills processes: lab-pc-07's agent last reported at 14:00,
    // grace 2 h, so at 17:32 no host "holds" 10.20.3.17 and the CIDR makes it an MTA. The worm
    // wrote a Received: line below mx1's naming lab-pc-12; the walk must stop at mx1's line.
    FakeEvidence fleet = new FakeEvidence(KEY)
        .host("mx", "mx1").held("mx", "198.51.100.5", DAY, null).mailServer("mx", "mx1.campus.example.edu")
        .host("pc07", "lab-pc-07")
        .heldThenSilent("pc07", "10.20.3.17", DAY, Instant.parse("2026-12-06T14:00:00Z"), Duration.ofHours(2))
        .host("pc12", "lab-pc-12").held("pc12", "10.20.3.12", DAY, null);
    byte[] wormMail = bytes("""
        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)
        Received: from LAB-PC-12 (lab-pc-12.campus.example.edu [10.20.3.12])
        \tby Wqkrtz (Postfix) with ESMTP id 2B7E90C411
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:05 +0000 (UTC)
        From: Harold <harold@campus.example.edu>
        To: abuse@campus.example.edu
        Subject: meeting notice
        Date: Sun, 6 Dec 2026 17:32:09 +0000
        Message-ID: <Z7Q2K1.4F00@Wqkrtz>

        See you at the meeting.
        """);

    ParsedComplaint c = ComplaintParser.parse(wormMail,
        TrustConfig.of(List.of("mx1.campus.example.edu", "198.51.100.5", "10.20.0.0/16")).withFleet(fleet));

    assertThat(c.origin()).as("warnings=%s hops=%s", c.warnings(), c.hops()).isPresent();
    assertThat(c.origin().get().ip()).as("trustedBecause=%s", c.origin().get().trustedBecause())
        .isEqualTo("10.20.3.17");
  }

  @Test
  void anOriginPlacedInTimeOnlyByTheSendersDateHeaderIsNeverRecordable() throws Exception {
    // mx1's line has no readable date (none here; a layout the date parser misses is the same),
    // so the origin's time is the Date: header the sender wrote. With DHCP, that time picks which
    // host held 10.20.3.17: the worm chooses whom the recorded answer blames.
    byte[] msg = bytes("""
        Received: from Wqkrtz (unknown [10.20.3.17])
        \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0
        \tfor <abuse@campus.example.edu>
        From: Harold <harold@campus.example.edu>
        To: abuse@campus.example.edu
        Subject: meeting notice
        Date: Sat, 5 Dec 2026 09:14:00 +0000
        Message-ID: <Z7Q2K1.4F00@Wqkrtz>

        See you at the meeting.
        """);

    ParsedComplaint c = ComplaintParser.parse(msg, TrustConfig.of(List.of("mx1.campus.example.edu", "198.51.100.5")));

    assertThat(c.origin()).as("warnings=%s", c.warnings()).isPresent();
    assertThat(c.origin().get().timeSource()).startsWith("Date: header");
    assertThat(c.origin().get().recordable()).as("recordableBecause=%s", c.origin().get().recordableBecause())
        .isFalse();
  }
}
