package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every complaint shape IT staff receive (issue #15 A): forwards as attachments and inline,
 * headers pasted from mail clients, lines that are not hops, MTA date layouts, bounces without
 * originals and ARF Source-IP. Each row: the file, the trust it is read with, and what a
 * careful analyst finds — origin IP, time, boundary hop and which part was traced.
 */
class ForwardCorpusTest {

  @ParameterizedTest(name = "{0} trust={1} -> {3} at {4}")
  @CsvSource(delimiter = '|', textBlock = """
      # file                                  | trust           | kind    | origin          | time                 | hop | traced part (start of)
      fwd-attached-outlook.eml                | -               | MESSAGE | 203.0.113.66    | 2024-01-15T09:00:03Z | 0   | attachment 1 of the message (message/rfc822), forwarded by janet@example.edu
      fwd-attached-thunderbird-crlf.eml       | -               | MESSAGE | 203.0.113.71    | 2024-01-16T14:02:44Z | 0   | attachment 1 of the message (message/rfc822), forwarded by mark@example.org
      fwd-attached-nested-3.eml               | -               | MESSAGE | 203.0.113.72    | 2024-01-17T08:15:00Z | 0   | attachment 1 of the message (message/rfc822), forwarded by abuse@example.edu; in it, attachment 1 (message/rfc822), forwarded by postmaster@example.com; in it, attachment 1 (message/rfc822), forwarded by gina@example.com
      fwd-attached-of-bounce.eml              | -               | BOUNCE  | 203.0.113.73    | 2024-01-18T11:03:08Z | 0   | attachment 1 of the message (message/rfc822), forwarded by olivia@example.edu; in it, the copy of the original in the bounce (message/rfc822)
      fwd-attached-bounce-subject-kept.eml    | -               | BOUNCE  | 203.0.113.73    | 2024-01-18T11:03:08Z | 0   | attachment 1 of the message (message/rfc822), forwarded by olivia@example.edu; in it, the copy of the original in the bounce (message/rfc822)
      fwd-attached-rfc822-headers.eml         | -               | HEADERS | 203.0.113.74    | 2024-01-19T15:58:12Z | 0   | attachment 1 of the message (text/rfc822-headers), forwarded by noc@example.com
      fwd-attached-two-messages.eml           | -               | MESSAGE | 203.0.113.75    | 2024-01-20T09:10:00Z | 0   | attachment 1 of the message (message/rfc822), forwarded by sam@example.org
      fwd-attached-of-arf.eml                 | -               | ARF     | 203.0.113.77    | 2024-01-21T13:00:01Z | 0   | attachment 1 of the message (message/rfc822), forwarded by abuse@example.com; in it, the reported message in the ARF report (message/rfc822)
      fwd-attached-base64.eml                 | -               | MESSAGE | 203.0.113.160   | 2024-02-28T09:00:09Z | 0   | attachment 1 of the message (message/rfc822), forwarded by zoe@example.org
      fwd-inline-thunderbird-full.eml         | -               | MESSAGE | 203.0.113.81    | 2024-01-23T08:31:12Z | 0   | the header block pasted in the body, after "-------- Forwarded Message --------", forwarded by mark@example.org
      fwd-inline-apple-mail.eml               | -               | MESSAGE | 203.0.113.82    | 2024-01-24T19:05:41Z | 0   | the header block pasted in the body, after "Begin forwarded message:", forwarded by pat@example.net
      fwd-inline-quoted.eml                   | -               | MESSAGE | 203.0.113.83    | 2024-01-26T08:12:09Z | 0   | the header block pasted in the body, after 2 line(s) of other text, forwarded by rita@example.com
      fwd-inline-quoted-twice.eml             | -               | HEADERS | 203.0.113.84    | 2024-01-26T09:40:02Z | 0   | the header block pasted in the body, after "-----Original Message-----", forwarded by rita@example.com
      fwd-raw-received-block.eml              | -               | MESSAGE | 192.0.2.26      | 2024-01-27T11:40:03Z | 0   | the header block pasted in the body, after 5 line(s) of other text, forwarded by uma@example.net
      fwd-raw-received-block.eml              | 192.0.2.26      | MESSAGE | 203.0.113.85    | 2024-01-27T11:40:01Z | 1   | the header block pasted in the body
      fwd-raw-received-wrapped.eml            | -               | MESSAGE | 203.0.113.86    | 2024-01-27T14:51:19Z | 0   | the header block pasted in the body, after 2 line(s) of other text, forwarded by uma@example.net
      paste-outlook-internet-headers.txt      | -               | HEADERS | 192.0.2.50      | 2003-01-14T14:15:04Z | 0   | the header block pasted after 1 line(s) of other text
      paste-outlook-internet-headers.txt      | 192.0.2.50      | HEADERS | 203.0.113.91    | 2003-01-14T14:15:02Z | 1   | the header block pasted after 1 line(s) of other text
      paste-outlook-internet-headers-crlf.txt | -               | HEADERS | 198.51.100.5    | 2024-01-29T12:00:03Z | 3   | the pasted header block
      paste-outlook-internet-headers-crlf.txt | 198.51.100.5    | HEADERS | 10.20.7.55      | 2024-01-29T12:00:01Z | 4   | the pasted header block
      paste-gmail-show-original.txt           | -               | MESSAGE | 203.0.113.92    | 2024-01-30T15:45:00Z | 1   | the header block pasted after 8 line(s) of other text
      paste-thunderbird-source.txt            | -               | MESSAGE | 203.0.113.93    | 2024-01-31T18:02:10Z | 1   | -
      paste-leading-blanks-apple-raw.txt      | -               | MESSAGE | 2001:db8:94::3  | 2024-02-01T06:30:21Z | 0   | -
      paste-prose-then-headers-crlf.txt       | -               | HEADERS | 203.0.113.95    | 2024-02-02T13:14:15Z | 0   | the header block pasted after 2 line(s) of other text
      amavis-reinjection.eml                  | -               | MESSAGE | 203.0.113.101   | 2024-02-05T10:00:03Z | 2   | -
      spampd-ipv6-loopback.eml                | -               | MESSAGE | 203.0.113.102   | 2024-02-06T08:00:06Z | 2   | -
      clamsmtp-midchain.eml                   | -               | MESSAGE | 198.51.100.5    | 2024-02-07T09:10:12Z | 0   | -
      clamsmtp-midchain.eml                   | 198.51.100.0/24 | MESSAGE | 10.20.3.103     | 2024-02-07T09:10:09Z | 3   | -
      loopback-bottom-submission.eml          | -               | MESSAGE | 198.51.100.5    | 2024-02-08T14:00:02Z | 0   | -
      loopback-bottom-submission.eml          | 198.51.100.0/24 | MESSAGE | 198.51.100.5    | 2024-02-08T14:00:02Z | 0   | -
      fetchmail-pop3.eml                      | -               | MESSAGE | 203.0.113.104   | 2024-02-09T18:02:31Z | 2   | -
      fetchmail-imap.eml                      | -               | MESSAGE | 203.0.113.105   | 2024-02-10T06:01:07Z | 1   | -
      qmail-invoked-multiple.eml              | -               | MESSAGE | 203.0.113.106   | 2024-02-11T12:00:02Z | 3   | -
      lmtp-cyrus.eml                          | -               | MESSAGE | 203.0.113.107   | 2024-02-12T10:20:03Z | 1   | -
      lmtp-dovecot-exim-local.eml             | -               | MESSAGE | 203.0.113.108   | 2024-02-13T11:00:04Z | 2   | -
      courier-id-after-date.eml               | -               | MESSAGE | 192.0.2.120     | 2003-01-14T14:12:05Z | 0   | -
      courier-id-after-date.eml               | 192.0.2.120     | MESSAGE | 203.0.113.109   | 2003-01-14T14:12:03Z | 1   | -
      domino-date-next-line.eml               | -               | MESSAGE | 203.0.113.110   | 2003-01-15T14:12:03Z | 0   | -
      obsolete-date-two-digit-year.eml        | -               | MESSAGE | 203.0.113.111   | 2003-01-16T15:05:09Z | 0   | -
      boundary-without-date.eml               | 198.51.100.0/24 | MESSAGE | 10.20.3.112     | 2024-02-14T15:45:20Z | 1   | -
      no-received-dates.eml                   | -               | MESSAGE | 203.0.113.113   | 2024-02-15T16:00:00Z | 0   | -
      bounce-exchange-ndr-headers-in-text.eml | -               | BOUNCE  | 203.0.113.150   | 2024-02-27T10:00:01Z | 0   | the copy of the original in the bounce (inline text)
      bounce-daemon-pasted-headers.eml        | -               | BOUNCE  | 203.0.113.132   | 2024-02-18T11:00:02Z | 0   | the copy of the original in the bounce (inline text)
      arf-source-ip-no-received.eml           | -               | ARF     | 203.0.113.140   | 2024-02-19T12:00:07Z | -1  | the reported message in the ARF report (text/rfc822-headers)
      arf-source-ip-deeper.eml                | -               | ARF     | 203.0.113.141   | 2024-02-20T12:00:04Z | 1   | the reported message in the ARF report (message/rfc822)
      arf-source-ip-internal-top.eml          | -               | ARF     | 203.0.113.143   | 2024-02-22T12:00:02Z | -1  | the reported message in the ARF report (message/rfc822)
      arf-source-ip-trusted-walk-deeper.eml   | -               | ARF     | 198.51.100.5    | 2024-02-21T12:00:05Z | 0   | the reported message in the ARF report (message/rfc822)
      arf-source-ip-trusted-walk-deeper.eml   | 198.51.100.0/24 | ARF     | 10.20.3.142     | 2024-02-21T12:00:04Z | 1   | the reported message in the ARF report (message/rfc822)
      """)
  void tracesEachShapeToItsOrigin(
      String file, String trust, ComplaintKind kind, String origin, String time, int hop, String part)
      throws Exception {
    ParsedComplaint c = ComplaintParser.parse(Corpus.bytes(file), Corpus.trust(trust));

    assertThat(c.kind()).as("kind of %s", file).isEqualTo(kind);
    assertThat(c.origin()).as("origin of %s; warnings %s", file, c.warnings()).isPresent();
    Origin o = c.origin().get();
    assertThat(o.ip()).as("%s: %s", file, o.trustedBecause()).isEqualTo(origin);
    assertThat(o.time()).as("time of %s (%s)", file, o.timeSource()).isEqualTo(Instant.parse(time));
    assertThat(o.hop()).as("boundary of %s", file).isEqualTo(hop);
    assertThat(c.tracedPart()).startsWith(part.equals("-") ? ParsedComplaint.ITSELF : part);
    for (TracedHop h : c.hops()) {
      if (hop < 0) {
        break; // the origin lies beyond the copy's lines (ARF Source-IP): tested on its own
      }
      HopTrust expected = h.index() < hop ? HopTrust.TRUSTED
          : h.index() == hop ? HopTrust.BOUNDARY : HopTrust.CLAIMED;
      assertThat(h.trust()).as("hop %d of %s", h.index(), file).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # file                            | kind    | claimed sender     | forwarded by            | what the warnings say
      fwd-inline-outlook.eml            | MESSAGE | dave@example.edu   | bob@example.net         | kept only its summary fields
      fwd-inline-outlook-underscore.eml | MESSAGE | erin@example.edu   | bob@example.net         | kept only its summary fields
      fwd-inline-gmail.eml              | MESSAGE | vera@example.edu   | walt@gmail.com          | kept only its summary fields
      fwd-inline-outlook-nested.eml     | MESSAGE | wendy@example.edu  | helpdesk-l2@example.edu | kept only its summary fields
      fwd-inline-outlook-german.eml     | MESSAGE | xaver@example.edu  | bernd@example.de        | kept only its summary fields
      bounce-domino-no-original.eml     | BOUNCE  | jill@example.edu   | -                       | describe the bouncing server
      bounce-exchange-no-original.eml   | BOUNCE  | jill@example.edu   | -                       | describe the bouncing server
      """)
  void givesNoOriginWhenTheTracedPartCarriesNoEvidenceAndSaysWhy(
      String file, ComplaintKind kind, String claimed, String forwarder, String why) {
    ParsedComplaint c = Corpus.parse(file);

    assertThat(c.kind()).isEqualTo(kind);
    assertThat(c.origin()).as("%s: %s", file, c.warnings()).isEmpty();
    assertThat(c.claimedSender()).contains(claimed);
    assertThat(c.forwardedBy()).isEqualTo(forwarder.equals("-") ? Optional.empty()
        : Optional.of(forwarder));
    assertThat(c.warnings()).anyMatch(w -> w.contains(why));
  }

  @Test
  void receivedLinesInTheBodyOfAMessageThatIsNoForwardAreNeverTraced() {
    ParsedComplaint c = Corpus.parse("worm-body-fake-received.eml", "198.51.100.0/24");

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.forwardedBy()).isEmpty();
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("10.20.3.31");
    assertThat(c.hops()).noneMatch(h -> h.hop().raw().contains("lab-pc-12"));
  }

  @Test
  void aRawReceivedBlockIsAnInlineForwardOnlyWhenTheSubjectSaysForward() throws Exception {
    String forward = new String(Corpus.bytes("fwd-raw-received-block.eml"), StandardCharsets.ISO_8859_1);
    byte[] plain = forward.replace("Subject: Fwd: virus mail", "Subject: virus mail")
        .getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = ComplaintParser.parse(plain, TrustConfig.none());

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("192.0.2.40");
  }

  /** The raw-block forward with a plain subject and {@code lead} in place of its first body line. */
  private static byte[] plainSubjectWithBodyLead(String lead) throws Exception {
    String forward = new String(Corpus.bytes("fwd-raw-received-block.eml"), StandardCharsets.ISO_8859_1)
        .replace("Subject: Fwd: virus mail", "Subject: virus mail");
    int body = forward.indexOf("\r\n\r\n") >= 0 ? forward.indexOf("\r\n\r\n") + 4 : forward.indexOf("\n\n") + 2;
    return (forward.substring(0, body) + lead + forward.substring(body)).getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void aSentenceThatMentionsTheOriginalMessageIsNoForwardMarker() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(plainSubjectWithBodyLead(
        "Please see the -----Original Message----- below, it came from your network.\n\n"), TrustConfig.none());

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("192.0.2.40");
  }

  @Test
  void aSeparatorLineFarAboveAReceivedBlockIsNoForwardMarker() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(plainSubjectWithBodyLead(
        "________________________________\nIT Services, Example University\nThis mail was scanned.\n\n"),
        TrustConfig.none());

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("192.0.2.40");
  }

  @Test
  void aShortDashedNoteIsNoForwardMarker() throws Exception {
    ParsedComplaint c = ComplaintParser.parse(plainSubjectWithBodyLead("-- see below --\n"), TrustConfig.none());

    assertThat(c.tracedPart()).isEqualTo(ParsedComplaint.ITSELF);
  }

  @Test
  void aForwardMarkerRightAboveTheBlockMakesItAnInlineForward() throws Exception {
    String plain = new String(plainSubjectWithBodyLead(""), StandardCharsets.ISO_8859_1);
    int block = plain.indexOf("Received: from mx1.example.net");
    byte[] marked = (plain.substring(0, block) + "-----Original Message-----\n" + plain.substring(block))
        .getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = ComplaintParser.parse(marked, TrustConfig.none());

    assertThat(c.tracedPart()).startsWith("the header block pasted in the body");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      Fwd: virus
      FW: virus
      WG: Virus
      TR: virus
      RV: virus
      I: virus
      VS: virus
      Doorst: virus
      Re: Fwd: virus
      AW: WG: Virus
      [abuse] Fwd: virus
      """)
  void aForwardSubjectMakesAPastedBlockAnInlineForward(String subject) throws Exception {
    String forward = new String(Corpus.bytes("fwd-raw-received-block.eml"), StandardCharsets.ISO_8859_1);
    byte[] message = forward.replace("Subject: Fwd: virus mail from your university", "Subject: " + subject)
        .getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = ComplaintParser.parse(message, TrustConfig.none());

    assertThat(c.tracedPart()).startsWith("the header block pasted in the body");
  }

  @Test
  void anAnswerTracedThroughAnAttachedMessageIsNeverRecordable() {
    ParsedComplaint c = Corpus.parse("fwd-attached-outlook.eml", "mx.example.net");

    Origin o = c.origin().orElseThrow();
    assertThat(o.ip()).isEqualTo("203.0.113.66");
    assertThat(o.recordable()).isFalse();
    assertThat(o.recordableBecause()).startsWith("the traced message was carried inside another message"
        + " (attachment 1 of the message").contains("whoever forwarded it could have written its lines");
    assertThat(c.warnings()).anyMatch(w -> w.startsWith("the traced message was carried inside another message"));
  }

  @Test
  void anAnswerTracedThroughAnInlineForwardIsNeverRecordable() {
    ParsedComplaint c = Corpus.parse("fwd-inline-apple-mail.eml", "mail.example.net");

    assertThat(c.origin().orElseThrow().recordable()).isFalse();
    assertThat(c.origin().orElseThrow().recordableBecause()).contains("the header block pasted in the body");
  }

  @Test
  void theSameLinesPastedAtTheTopLevelKeepTheOrdinaryRule() throws Exception {
    String forward = new String(Corpus.bytes("fwd-inline-apple-mail.eml"), StandardCharsets.ISO_8859_1);
    byte[] pasted = forward.substring(forward.indexOf("Received: from dhcp-82")).getBytes(StandardCharsets.ISO_8859_1);

    ParsedComplaint c = ComplaintParser.parse(pasted, TrustConfig.of(List.of("mail.example.net")));

    assertThat(c.tracedPart()).doesNotStartWith("the header block pasted in the body");
    assertThat(c.origin().orElseThrow().ip()).isEqualTo("203.0.113.82");
    assertThat(c.origin().orElseThrow().recordable()).isTrue();
  }

  @Test
  void theForwardersOwnHeadersNeverReachTheTrace() {
    ParsedComplaint c = Corpus.parse("fwd-attached-outlook.eml");

    assertThat(c.claimedSender()).contains("dave@example.edu");
    assertThat(c.recipients()).containsExactly("carol@example.net");
    assertThat(c.forwardedBy()).contains("janet@example.edu");
    assertThat(c.hops()).hasSize(1);
    assertThat(c.hops()).noneMatch(h -> h.hop().raw().contains("EXCH01"));
    assertThat(c.toJson().get("tracedPart").asText()).startsWith("attachment 1 of the message");
    assertThat(c.toJson().get("forwardedBy").asText()).isEqualTo("janet@example.edu");
  }

  @Test
  void aThreeLevelForwardNamesTheOutermostForwarderAndTheInnermostSender() {
    ParsedComplaint c = Corpus.parse("fwd-attached-nested-3.eml");

    assertThat(c.forwardedBy()).contains("abuse@example.edu");
    assertThat(c.claimedSender()).contains("fred@example.edu");
    assertThat(c.subject()).contains("a Klez.E patch");
  }

  @Test
  void onlyTheFirstOfSeveralAttachedMessagesIsTracedAndTheOthersAreMentioned() {
    ParsedComplaint c = Corpus.parse("fwd-attached-two-messages.eml");

    assertThat(c.warnings()).anyMatch(w -> w.contains("2 attached messages") && w.contains("only the first"));
  }

  @Test
  void aForwardedBounceIsTracedThroughTheBouncesOriginal() {
    ParsedComplaint c = Corpus.parse("fwd-attached-of-bounce.eml");

    assertThat(c.claimedSender()).contains("olivia@example.edu");
    assertThat(c.report().orElseThrow().reportingMta()).contains("mx.example.net");
    assertThat(c.origin().orElseThrow().ip()).isNotEqualTo("10.20.5.14").isNotEqualTo("192.0.2.25");
  }

  @Test
  void passedOverLinesAreFlaggedAndNeverTheBoundary() {
    ParsedComplaint c = Corpus.parse("amavis-reinjection.eml");

    assertThat(c.hops().get(0).hop().flags()).contains(HopFlag.LOOPBACK_CLIENT);
    assertThat(c.hops().get(1).hop().flags()).contains(HopFlag.LOOPBACK_CLIENT);
    assertThat(Corpus.parse("fetchmail-pop3.eml").hops().get(1).hop().flags()).contains(HopFlag.RETRIEVAL);
    assertThat(Corpus.parse("lmtp-cyrus.eml").hops().get(0).hop().flags()).contains(HopFlag.LOCAL_DELIVERY);
  }

  @Test
  void theWalkSaysWhichLinesItPassedOver() {
    assertThat(Corpus.parse("amavis-reinjection.eml").origin().orElseThrow().trustedBecause())
        .contains("(passed over, not hops to a new client: hop 0 (loopback hand-off), hop 1 (loopback hand-off))");
    assertThat(Corpus.parse("clamsmtp-midchain.eml", "198.51.100.0/24").origin().orElseThrow().trustedBecause())
        .contains("hop 1 (loopback hand-off), hop 2 (loopback hand-off)), so hop 3");
  }

  @Test
  void aBoundaryWithoutDateTakesTheTrustedLineAboveAndSaysSo() {
    Origin o = Corpus.parse("boundary-without-date.eml", "198.51.100.0/24").origin().orElseThrow();

    assertThat(o.timeSource()).startsWith("date of hop 0 (the boundary line has none");
  }

  @Test
  void theSendersDateIsTheLastResortAndWarned() {
    ParsedComplaint c = Corpus.parse("no-received-dates.eml");

    assertThat(c.origin().orElseThrow().timeSource()).startsWith("Date: header, the sender's own clock");
    assertThat(c.warnings()).anyMatch(w -> w.contains("Date: header") && w.contains("may be wrong or forged"));
  }

  @Test
  void sourceIpNeverOverridesADeeperTrustedWalk() {
    Origin o = Corpus.parse("arf-source-ip-trusted-walk-deeper.eml", "198.51.100.0/24").origin().orElseThrow();

    assertThat(o.ip()).isEqualTo("10.20.3.142");
    assertThat(o.crossChecks()).anyMatch(n -> n.contains("Source-IP 198.51.100.5") && n.contains("DISAGREES"));
  }

  @Test
  void sourceIpMovesTheBoundaryToTheLineThatRecordedIt() {
    Origin o = Corpus.parse("arf-source-ip-deeper.eml").origin().orElseThrow();

    assertThat(o.trustedBecause()).contains("Source-IP 203.0.113.141").contains("hop 1 and it is the boundary");
    assertThat(o.crossChecks()).contains("the report's Source-IP 203.0.113.141 agrees with hop 1");
  }

  @Test
  void aPublicSourceIpBeatsAPrivateClientAtTheTopOfTheReportersCopy() {
    ParsedComplaint c = Corpus.parse("arf-source-ip-internal-top.eml");

    assertThat(c.origin().orElseThrow().trustedBecause()).contains("private address inside the reporter's network");
    assertThat(c.hops().get(0).trust()).isEqualTo(HopTrust.TRUSTED);
  }

  @Test
  void aDisagreeingSourceIpThatNamesNoLineLeavesAPublicBoundaryStanding() {
    Origin o = Corpus.parse("arf-source-ip-disagrees.eml").origin().orElseThrow();

    assertThat(o.ip()).isEqualTo("203.0.113.70");
  }

  @Test
  void corpusHoldsCrlfPastesAndForwards() {
    for (String f : new String[] {"fwd-attached-thunderbird-crlf.eml", "fwd-inline-outlook.eml",
        "paste-outlook-internet-headers-crlf.txt", "paste-prose-then-headers-crlf.txt"}) {
      assertThat(new String(Corpus.bytes(f), StandardCharsets.ISO_8859_1)).as(f).contains("\r\n");
    }
  }
}
