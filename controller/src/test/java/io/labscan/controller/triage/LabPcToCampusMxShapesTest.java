package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The lab PC -> campus MX hop as each common MTA writes it gives the lab PC, recordable (issue 15, red-team round). */
class LabPcToCampusMxShapesTest {
  @ParameterizedTest
  @ValueSource(strings = {
      "Received: from Wqkrtz ([::ffff:10.20.3.17])\r\n  by mx1.campus.example.edu with SMTP; Sun, 06 Dec 2026 17:32:11 +0000\r\n  id 000A1B2C.5F2E3D4C.00001234",
      "Received: from [::ffff:10.20.3.17] (helo=Wqkrtz)\r\n\tby mx1.campus.example.edu with smtp (Exim 4.96)\r\n\t(envelope-from <harold@campus.example.edu>)\r\n\tid 1kmQ3x-0004Ab-2C\r\n\tfor abuse@campus.example.edu; Sun, 06 Dec 2026 17:32:11 +0000",
      "Received: from Wqkrtz ([IPv6:::ffff:10.20.3.17])\r\n\tby mx1.campus.example.edu (8.17.1/8.17.1) with SMTP id 0B6HWBxx012345\r\n\tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 GMT",
      "Received: from Wqkrtz (10.20.3.17) by mx1.campus.example.edu (198.51.100.5) with Microsoft SMTP Server id\r\n 15.1.2507.6; Sun, 6 Dec 2026 17:32:11 +0000",
      "Received: from Wqkrtz ([10.20.3.17]) by mx1.campus.example.edu (Lotus Domino Release 9.0.1FP10)\r\n          with SMTP id 2026120617321100-1234 ;\r\n          Sun, 6 Dec 2026 17:32:11 +0000",
      "Received: (qmail 12345 invoked from network); 6 Dec 2026 17:32:11 -0000\r\nReceived: from unknown (HELO Wqkrtz) (10.20.3.17)\r\n  by mx1.campus.example.edu with SMTP; 6 Dec 2026 17:32:11 -0000",
      "Received: from mx1.campus.example.edu (localhost [127.0.0.1])\r\n\tby mx1.campus.example.edu (Postfix) with ESMTP id 11AA\r\n\tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:12 +0000 (UTC)\r\nReceived: from Wqkrtz (unknown [IPv6:2001:db8:20:3::17])\r\n\tby mx1.campus.example.edu (Postfix) with SMTP id 3F9A\r\n\tfor <abuse@campus.example.edu>; Sun, 6 Dec 2026 17:32:11 +0000 (UTC)",
  })
  void theLabPcsHopWrittenByTheCampusMxIsTheRecordableOrigin(String lines) throws Exception {
    String msg = lines + "\r\nFrom: harold@campus.example.edu\r\nTo: abuse@campus.example.edu\r\nSubject: hi\r\n"
        + "Date: Sun, 6 Dec 2026 17:32:09 +0000\r\n\r\nbody\r\n";
    ParsedComplaint c = ComplaintParser.parse(msg.getBytes(StandardCharsets.ISO_8859_1),
        TrustConfig.of(List.of("mx1.campus.example.edu", "198.51.100.5")));
    assertThat(c.origin()).as("warnings=%s hops=%s", c.warnings(), c.hops()).isPresent();
    assertThat(c.origin().get().ip()).isIn("10.20.3.17", "2001:db8:20:3::17");
    assertThat(c.origin().get().time()).isEqualTo(java.time.Instant.parse("2026-12-06T17:32:11Z"));
    assertThat(c.origin().get().recordable()).isTrue();
  }
}
