package io.labscan.agent.checks.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HtmlIframeCidsTest {

  private static Set<String> scan(String html) throws Exception {
    return HtmlIframeCids.scan(new StringReader(html), Long.MAX_VALUE);
  }

  @Test
  void unquotedCidAsKlezWritesItIsFound() throws Exception {
    assertThat(scan("<iframe src=cid:EA4DMGBP9p height=0 width=0></iframe>"))
        .containsExactly("EA4DMGBP9p");
  }

  @Test
  void quotesCaseAndWhitespaceVariantsAreFound() throws Exception {
    assertThat(scan("<IFRAME SRC = \"cid:a1\">"
        + "<iframe\n  width=0 src='cid:b2'>"
        + "< iframe src=\" cid:c3\">"))
        .containsExactlyInAnyOrder("a1", "b2", "c3");
  }

  @Test
  void strayQuotedPrintableEqualsIsTolerated() throws Exception {
    assertThat(scan("<iframe src=3Dcid:qp1>")).containsExactly("qp1");
  }

  @Test
  void percentEncodedCidIsDecoded() throws Exception {
    assertThat(scan("<iframe src=\"cid:part%401.x\">")).containsExactly("part@1.x");
  }

  @Test
  void webFramesAndImagesAreNotCidFrames() throws Exception {
    assertThat(scan("<iframe src=\"http://news.example.org/cid:x\"></iframe>"
        + "<img src=\"cid:logo\"><iframe data-src=\"cid:lazy\">")).isEmpty();
  }

  @Test
  void referenceAcrossAChunkBoundaryIsFoundWhole() throws Exception {
    String padding = "x".repeat(16 * 1024 - 20);
    assertThat(scan(padding + "<iframe src=cid:ABCDEFGHIJKLMNOP></iframe>"))
        .containsExactly("ABCDEFGHIJKLMNOP");
  }

  @Test
  void readingStopsAtTheCharacterLimit() throws Exception {
    String html = "x".repeat(100) + "<iframe src=cid:late>";
    assertThat(HtmlIframeCids.scan(new StringReader(html), 50)).isEmpty();
  }
}
