package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.TestReports;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.store.Storage;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web UI's Triage page runs the real engine against the store. */
class EngineTriageRunnerTest {
  @TempDir Path dir;

  @Test
  void aPastedComplaintIsTracedToTheHostThatHeldTheOriginAddress() throws Exception {
    Instant now = Instant.now().minusSeconds(600);
    String linda = TestReports.newHostId();
    try (Storage store = Storage.open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC())) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", now, 1, "10.20.3.17"), now, "t").join();
      EngineTriageRunner runner = new EngineTriageRunner(new ComplaintTriage(store, verdicts,
          TrustConfig.of(List.of("mx.lab.example.edu")), Clock.systemUTC()));
      String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(now.atZone(java.time.ZoneOffset.UTC));
      String message = "Received: from pc (unknown [10.20.3.17]) by mx.lab.example.edu (Postfix) with SMTP id 1A;\r\n"
          + "\t" + date + "\r\nFrom: harold@lab.example.edu\r\nTo: janet@lab.example.edu\r\nSubject: honey\r\n\r\nhi\r\n";

      JsonNode answer = runner.triage(message.getBytes(StandardCharsets.US_ASCII));

      assertThat(answer.get("origin").get("ip").asText()).as(answer.toPrettyString()).isEqualTo("10.20.3.17");
      assertThat(answer.get("candidates")).as(answer.toPrettyString()).isNotEmpty();
      assertThat(answer.get("candidates").get(0).get("hostId").asText()).isEqualTo(linda);
    }
  }

  @Test
  void somethingThatIsNotMailIsRefusedWithTheReason() throws Exception {
    try (Storage store = Storage.open(dir.resolve("c.db"));
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC())) {
      EngineTriageRunner runner = new EngineTriageRunner(new ComplaintTriage(store, verdicts, TrustConfig.none(),
          Clock.systemUTC()));
      assertThatThrownBy(() -> runner.triage(new byte[] {0, 1, 2, 3, (byte) 0xff}))
          .isInstanceOf(TriageRunner.NotAMailMessage.class);
    }
  }
}
