package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PastedHeadersTest {

  private static String found(String text, PastedHeaders.Mode mode) {
    return new String(PastedHeaders.find(text, mode).orElseThrow().message(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void aReceivedBlockBelowOtherTextIsFoundWithWhatFollowsIt() {
    String text = "Hi,\nheaders below\n\nReceived: from PC17 (unknown [203.0.113.9])\n\tby mx.example.net;"
        + " Mon, 15 Jan 2024 10:00:00 +0000\nFrom: a@example.edu\n\nbody line\n";

    PastedHeaders.Found f = PastedHeaders.find(text, PastedHeaders.Mode.FORWARD).orElseThrow();

    assertThat(f.line()).isEqualTo(3);
    assertThat(f.hasReceived()).isTrue();
    assertThat(f.how()).isEqualTo("after 3 line(s) of other text");
    assertThat(new String(f.message(), StandardCharsets.ISO_8859_1))
        .startsWith("Received: from PC17").contains("\n\nbody line\n");
  }

  @Test
  void proseThatMerelyStartsWithReceivedIsNoBlock() {
    String text = "Dear IT,\n\nReceived: a virus from your domain yesterday.\nFrom: me\n\nThanks\n";

    assertThat(PastedHeaders.find(text, PastedHeaders.Mode.FORWARD)).isEmpty();
  }

  @Test
  void quoteMarksAreRemovedAtTheBlocksDepth() {
    String text = "> On Monday you wrote:\n>> Received: from PC17 (unknown [203.0.113.9]) by mx; Mon,"
        + " 15 Jan 2024 10:00:00 +0000\n>> From: a@example.edu\n>>\n>> hi\n> thanks\n";

    assertThat(found(text, PastedHeaders.Mode.FORWARD))
        .isEqualTo("Received: from PC17 (unknown [203.0.113.9]) by mx; Mon, 15 Jan 2024 10:00:00 +0000\n"
            + "From: a@example.edu\n\n\nhi\n");
  }

  @Test
  void gmailsShortPreambleFieldsDoNotJoinTheRealBlock() {
    String text = "Original Message\nFrom:\tben@example.edu\nSPF:\tNEUTRAL Learn more\n"
        + "Download Original\tCopy to clipboard\nDelivered-To: walt@gmail.com\n"
        + "Received: from OFFICE-9 (x [203.0.113.92]) by mx.google.com; Tue, 30 Jan 2024 07:45:00 -0800\n";

    assertThat(found(text, PastedHeaders.Mode.PREAMBLE)).startsWith("Delivered-To: walt@gmail.com\n");
  }

  @Test
  void aFieldWrappedByAMailClientWithoutIndentIsRejoined() {
    String text = "Received: from LIBRARY-4 (unknown [203.0.113.86]) by mx1.example.net (Postfix) with\n"
        + "SMTP id 3A4B for <u@example.net>; Sat, 27 Jan 2024 14:51:19 +0000\nFrom: v@example.edu\n";

    assertThat(found("See below.\n\n" + text, PastedHeaders.Mode.FORWARD))
        .startsWith("Received: from LIBRARY-4 (unknown [203.0.113.86]) by mx1.example.net (Postfix) with\n"
            + " SMTP id 3A4B");
  }

  @Test
  void aSummaryOnlyForwardNeedsItsMarkerLine() {
    String forwarded = "Thanks!\n\n-----Original Message-----\nFrom: bob@example.net\nSent: Monday\n"
        + "Subject: hi\n\nbody\n";
    String signature = "Thanks!\n\nNote: this mail is confidential\nFrom: the legal department\n";

    PastedHeaders.Found f = PastedHeaders.find(forwarded, PastedHeaders.Mode.FORWARD).orElseThrow();
    assertThat(f.hasReceived()).isFalse();
    assertThat(f.how()).isEqualTo("after \"-----Original Message-----\"");
    assertThat(PastedHeaders.find(signature, PastedHeaders.Mode.FORWARD)).isEmpty();
    assertThat(PastedHeaders.find(forwarded, PastedHeaders.Mode.PREAMBLE)).isEmpty();
  }

  @Test
  void localizedAndBoldSummaryNamesAreReadUnderTheirEnglishNames() {
    assertThat(PastedHeaders.summaryName("Von: xaver@example.edu")).isEqualTo("From: xaver@example.edu");
    assertThat(PastedHeaders.summaryName("*From:* Bob <bob@example.net>")).isEqualTo("From: Bob <bob@example.net>");
    assertThat(PastedHeaders.summaryName("Betreff: honey")).isEqualTo("Subject: honey");
    assertThat(PastedHeaders.summaryName("Received: from x")).isEqualTo("Received: from x");
    assertThat(PastedHeaders.summaryName("Note: nothing")).isEqualTo("Note: nothing");
  }
}
