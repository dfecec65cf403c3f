package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Red team round 3 of issue 15 (trace): inputs that cost far more than their size says, through
 * the parser every entry point shares (CLI file, web paste, mailbox watch). Bounds on work are
 * asserted as the documented limit being applied and named, never as a time; the timings are in
 * the findings file (rt-trace-findings.md).
 */
class RedTeamRound3ParserLimitsTest {
  @Test
  void aMimeTreeWithMorePartsThanThePartLimitIsCutWithAWarningNamingTheLimit() throws Exception {
    // 100,000 empty parts in 3.6 MB (well under the 32 MiB input limit). The walk looks at 200
    // parts, but the mail library materialises every part (headers and all) as soon as the
    // multipart's count is asked: about 10 s of CPU and 440 MB for this message, through every
    // entry point; nothing says the parts after the 200th were never looked at.
    StringBuilder sb = new StringBuilder("""
        Received: from Wqkrtz (unknown [10.20.3.17])\r
        \tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A11C2D0\r
        \tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)\r
        From: Harold <harold@campus.example.edu>\r
        To: abuse@campus.example.edu\r
        Subject: some questions\r
        Date: Sun, 6 Dec 2026 17:32:09 +0000\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b"\r
        \r
        """);
    for (int i = 0; i < 100_000; i++) {
      sb.append("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
    }
    sb.append("--b--\r\n");

    ParsedComplaint c = ComplaintParser.parse(sb.toString().getBytes(StandardCharsets.ISO_8859_1),
        TrustConfig.of(List.of("mx1.campus.example.edu")));

    assertThat(c.warnings()).as("the part limit is applied and named")
        .anyMatch(w -> w.contains("200") && w.contains("parts"));
  }
}
