package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.labscan.controller.TestReports;
import io.labscan.controller.complaint.ComplaintHandler;
import io.labscan.controller.complaint.ComplaintLog;
import io.labscan.controller.complaint.ComplaintRecord;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.complaint.MailboxStatus;
import io.labscan.controller.triage.TrustConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Complaints page's API over real HTTP: complaints triaged by the real engine from a
 * mailbox (handled as the watch does, stored in the real SQLite log) are listed with their answer
 * and the host they name, one complaint carries the whole triage view, and /metrics counts them
 * per day.
 */
class ComplaintsWebApiTest {
  static final String MAILBOX = "imaps://abuse@mail.lab.example.edu:993/INBOX";
  @TempDir Path dir;
  private DashboardFixture fixture;
  private String pc07;
  private ComplaintLog log;
  private ComplaintHandler handler;
  private Instant at;

  @BeforeEach
  void start() {
    fixture = new DashboardFixture(dir);
    at = Instant.now().minusSeconds(300);
    pc07 = TestReports.newHostId();
    fixture.ingest(TestReports.fullScan(pc07, "lab-pc-07", at, 1, "10.20.3.17"));
    log = new ComplaintLog(fixture.store);
    handler = new ComplaintHandler(new ComplaintTriage(fixture.store, fixture.verdicts,
        TrustConfig.of(List.of("mx.lab.example.edu")), fixture.clock).forMailboxes(), id -> Optional.empty(), a -> { },
        fixture.clock, 1 << 20);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private ComplaintRecord arrives(String raw, long uid) {
    byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
    String messageId = raw.contains("Message-ID: <") ? raw.replaceAll("(?s).*Message-ID: (<[^>]*>).*", "$1") : null;
    return log.save(handler.handle(new ComplaintHandler.Message(MAILBOX, at, bytes.length, "Hello, a nice game",
        "harold@lab.example.edu\u202e <x>", Optional.ofNullable(messageId), Optional.of(bytes))), 7, uid);
  }

  private String worm() {
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC));
    return "Received: from PC07 (unknown [10.20.3.17]) by mx.lab.example.edu (Postfix) with SMTP id 7F3E2;\r\n\t" + date
        + "\r\nFrom: harold@lab.example.edu\r\nTo: janet@example.net\r\nSubject: Hello, a nice game\r\n"
        + "Message-ID: <worm-1@lab-pc-07>\r\nDate: " + date + "\r\n\r\nrun it\r\n";
  }

  private ApiClient viewer() throws Exception {
    return new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD);
  }

  @Test
  void theListShowsEachComplaintWithItsAnswerAndTheHostItNamesNewestFirst() throws Exception {
    ComplaintRecord worm = arrives(worm(), 1);
    arrives("backup finished OK\r\nerrors: 0\r\n", 2);
    fixture.mailboxes = List.of(new MailboxStatus(MAILBOX, "watching", at, Optional.empty(), 2));

    JsonNode page = viewer().getJson("/api/v1/complaints");

    assertThat(page.get("mailboxes").get(0).get("state").asText()).isEqualTo("watching");
    JsonNode list = page.get("complaints");
    assertThat(list).hasSize(2);
    assertThat(list.get(0).get("outcome").asText()).isEqualTo("not-a-complaint");
    assertThat(list.get(0).get("detail").asText()).contains("not a mail message");
    assertThat(list.get(0).get("host").isNull()).isTrue();
    JsonNode c = list.get(1);
    assertThat(c.get("id").asLong()).isEqualTo(worm.seq());
    assertThat(c.get("outcome").asText()).isEqualTo("triaged");
    assertThat(c.get("summary").asText()).startsWith("Sent by lab-pc-07 (10.20.3.17)");
    assertThat(c.get("host").get("hostId").asText()).isEqualTo(pc07);
    assertThat(c.get("host").get("link").asText()).isEqualTo("/hosts/" + pc07);
    assertThat(c.get("host").get("verdict").asText()).isEqualTo("SUSPECTED");
    assertThat(c.get("link").asText()).isEqualTo("/complaints/" + worm.seq());
    assertThat(c.get("recorded").asBoolean()).isTrue();
    assertThat(c.get("from").asText()).as("a bidi override in From: is defused").isEqualTo("harold@lab.example.edu? <x>");
    assertThat(page.get("next").isNull()).isTrue();
  }

  @Test
  void oneComplaintCarriesTheWholeTriageView() throws Exception {
    ComplaintRecord worm = arrives(worm(), 1);

    JsonNode c = viewer().getJson("/api/v1/complaints/" + worm.seq());

    assertThat(c.get("triage").get("summary").asText()).isEqualTo(c.get("summary").asText());
    assertThat(c.get("triage").get("candidates").get(0).get("hostId").asText()).isEqualTo(pc07);
    assertThat(c.get("triage").get("recordable").asBoolean()).isTrue();
    assertThat(viewer().get("/api/v1/complaints/999").statusCode()).isEqualTo(404);
    assertThat(viewer().get("/api/v1/complaints/abc").statusCode()).isEqualTo(400);
    assertThat(viewer().get("/complaints/" + worm.seq()).body()).contains("/assets/complaints.js");
  }

  @Test
  void pagingGoesBelowTheLastComplaintShownAndABadLimitIsRefused() throws Exception {
    for (int i = 1; i <= 3; i++) {
      arrives("not mail " + i + "\r\n", i);
    }
    ApiClient viewer = viewer();

    JsonNode first = viewer.getJson("/api/v1/complaints?limit=2");
    JsonNode second = viewer.getJson("/api/v1/complaints?limit=2&before=" + first.get("next").asLong());

    assertThat(first.get("complaints")).hasSize(2);
    assertThat(second.get("complaints")).hasSize(1);
    assertThat(second.get("complaints").get(0).get("id").asLong()).isLessThan(first.get("next").asLong());
    assertThat(viewer.get("/api/v1/complaints?limit=100000").statusCode()).isEqualTo(400);
  }

  @Test
  void anAnonymousRequestIsRefused() throws Exception {
    arrives(worm(), 1);

    assertThat(new ApiClient(fixture.base()).get("/api/v1/complaints").statusCode()).isEqualTo(401);
  }

  @Test
  void metricsCountComplaintsPerDayAndOutcome() throws Exception {
    arrives(worm(), 1);
    arrives("not mail\r\n", 2);
    String today = fixture.clock.instant().atOffset(ZoneOffset.UTC).toLocalDate().toString();

    String body = viewer().get("/metrics").body();

    assertThat(body).contains("labscan_complaints{day=\"" + today + "\",outcome=\"triaged\"} 1.0")
        .contains("labscan_complaints{day=\"" + today + "\",outcome=\"not-a-complaint\"} 1.0")
        .contains("labscan_complaints{day=\"" + today + "\",outcome=\"failed\"} 0.0");
  }
}
