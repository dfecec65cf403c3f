package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The corpus table: every file, the trust it is read with, and the origin a careful analyst finds. */
class ComplaintCorpusTest {

  @ParameterizedTest(name = "{0} trust={1} -> {3} at hop {4}")
  @CsvSource(delimiter = '|', textBlock = """
      # file                           | trust                          | kind    | origin          | boundary
      postfix-single-hop.eml           | -                              | MESSAGE | 203.0.113.1     | 0
      postfix-relay-chain.eml          | -                              | MESSAGE | 198.51.100.5    | 0
      postfix-relay-chain.eml          | 198.51.100.0/24                | MESSAGE | 10.20.3.17      | 1
      postfix-relay-chain.eml          | relay.lab.example.edu          | MESSAGE | 10.20.3.17      | 1
      postfix-relay-chain.eml          | *.lab.example.edu              | MESSAGE | 10.20.3.17      | 1
      postfix-ipv6.eml                 | -                              | MESSAGE | 2001:db8::25    | 0
      postfix-ipv6-uncanonical.eml     | -                              | MESSAGE | 2001:db8::25    | 0
      postfix-folded-tls.eml           | -                              | MESSAGE | 203.0.113.1     | 0
      sendmail-may-be-forged.eml       | -                              | MESSAGE | 203.0.113.77    | 0
      sendmail-may-be-forged.eml       | *.example.com                  | MESSAGE | 203.0.113.77    | 0
      sendmail-obsolete-date.eml       | -                              | MESSAGE | 10.20.3.17      | 0
      exim-port-helo.eml               | -                              | MESSAGE | 203.0.113.45    | 0
      exim-ip-only-ut.eml              | -                              | MESSAGE | 198.51.100.77   | 0
      qmail-invoked.eml                | -                              | MESSAGE | 203.0.113.9     | 1
      smtpsvc.eml                      | -                              | MESSAGE | 198.51.100.6    | 0
      smtpsvc.eml                      | 198.51.100.6                   | MESSAGE | 10.20.3.17      | 1
      exchange-online-multihop.eml     | -                              | MESSAGE | 198.51.100.5    | 3
      exchange-online-multihop.eml     | 198.51.100.5                   | MESSAGE | 10.20.3.17      | 4
      exchange-onprem.eml              | -                              | MESSAGE | 10.20.0.8       | 0
      exchange-onprem.eml              | 10.20.0.0/28                   | MESSAGE | 10.20.0.8       | 0
      exchange-onprem.eml              | 10.20.0.8                      | MESSAGE | 10.20.3.17      | 1
      gmail-external.eml               | -                              | MESSAGE | 203.0.113.1     | 1
      gmail-submission.eml             | -                              | MESSAGE | 198.51.100.200  | 3
      forged-lower-lines.eml           | -                              | MESSAGE | 203.0.113.66    | 0
      forged-lower-lines.eml           | 198.51.100.0/24;relay.lab.example.edu;*.lab.example.edu;mail.example.edu | MESSAGE | 203.0.113.66 | 0
      spf-disagrees.eml                | -                              | MESSAGE | 203.0.113.66    | 0
      unparsed-top-line.eml            | -                              | MESSAGE | 203.0.113.88    | 1
      mbox-from-line.eml               | -                              | MESSAGE | 203.0.113.21    | 0
      no-received.eml                  | -                              | MESSAGE | none            | -1
      bounce-postfix-rfc822.eml        | -                              | BOUNCE  | 203.0.113.66    | 0
      bounce-rfc822-headers-ipv6.eml   | -                              | BOUNCE  | 2001:db8:20::17 | 0
      bounce-own-relay-private.eml     | -                              | BOUNCE  | 10.20.4.23      | 0
      bounce-qmail-plain.eml           | -                              | BOUNCE  | 203.0.113.9     | 1
      arf-report.eml                   | -                              | ARF     | 203.0.113.66    | 0
      arf-source-ip-disagrees.eml      | -                              | ARF     | 203.0.113.70    | 0
      headers-only-paste.txt           | -                              | HEADERS | 192.0.2.30      | 0
      headers-only-paste.txt           | 192.0.2.30                     | HEADERS | 203.0.113.45    | 1
      """)
  void tracesEachCorpusFileToItsOrigin(
      String file, String trust, ComplaintKind kind, String origin, int boundary) throws Exception {
    ParsedComplaint c = ComplaintParser.parse(Corpus.bytes(file), Corpus.trust(trust));

    assertThat(c.kind()).isEqualTo(kind);
    if (origin.equals("none")) {
      assertThat(c.origin()).isEmpty();
      return;
    }
    assertThat(c.origin()).as("origin of %s; warnings %s", file, c.warnings()).isPresent();
    assertThat(c.origin().get().ip()).isEqualTo(origin);
    assertThat(c.origin().get().hop()).isEqualTo(boundary);
    for (TracedHop h : c.hops()) {
      HopTrust expected = h.index() < boundary ? HopTrust.TRUSTED
          : h.index() == boundary ? HopTrust.BOUNDARY : HopTrust.CLAIMED;
      assertThat(h.trust()).as("hop %d of %s", h.index(), file).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      not-mail-empty.eml   | empty input
      not-mail-binary.bin  | binary data
      not-mail-json.json   | looks like JSON
      not-mail-prose.txt   | the first line is not a header field
      not-mail-yaml.txt    | no mail header field
      """)
  void rejectsWhatIsNotMailSayingWhy(String file, String reason) {
    assertThatThrownBy(() -> ComplaintParser.parse(Corpus.bytes(file), TrustConfig.none()))
        .isInstanceOf(NotAMailMessageException.class)
        .hasMessageContaining(reason)
        .hasMessageContaining("not a mail message");
  }

  @Test
  void corpusHoldsBothLineEndings() {
    String crlf = new String(Corpus.bytes("exchange-online-multihop.eml"), StandardCharsets.ISO_8859_1);
    String lf = new String(Corpus.bytes("postfix-single-hop.eml"), StandardCharsets.ISO_8859_1);

    assertThat(crlf).contains("\r\n");
    assertThat(lf).doesNotContain("\r");
  }
}
