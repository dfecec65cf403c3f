package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.complaint.ComplaintHandler;
import io.labscan.controller.complaint.ComplaintLog;
import io.labscan.controller.complaint.ComplaintRecord;
import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.complaint.MailboxStatus;
import io.labscan.controller.triage.TrustConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The Complaints page in a real browser (headless chromium): complaints triaged by the real
 * engine from a mailbox, one with a hostile subject, are listed with links to the host and to
 * the full triage view, and no mail text runs as markup.
 */
class ComplaintsBrowserTest extends DashboardInBrowser {
  static final String HOSTILE_SUBJECT = "<img src=x onerror=window.__xss=7>Fwd: game";
  String pc07;
  ComplaintRecord worm;

  @BeforeAll
  void start() throws Exception {
    startControllerAndBrowser("labscan-complaints-browser");
    Instant at = Instant.now().minusSeconds(300);
    pc07 = TestReports.newHostId();
    fixture.ingest(TestReports.fullScan(pc07, "lab-pc-07", at, 1, "10.20.3.17"));
    ComplaintHandler handler = new ComplaintHandler(new ComplaintTriage(fixture.store, fixture.verdicts,
        TrustConfig.of(List.of("mx.lab.example.edu")), fixture.clock).forMailboxes(), id -> Optional.empty(), a -> { },
        fixture.clock, 1 << 20);
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(at.atZone(ZoneOffset.UTC));
    byte[] raw = ("Received: from PC07 (unknown [10.20.3.17]) by mx.lab.example.edu (Postfix) with SMTP id 7F3E2;\r\n\t"
        + date + "\r\nFrom: harold@lab.example.edu\r\nTo: janet@example.net\r\nSubject: game\r\n"
        + "Message-ID: <worm-1@lab-pc-07>\r\nDate: " + date + "\r\n\r\nrun it\r\n").getBytes(StandardCharsets.US_ASCII);
    String mailbox = "imaps://abuse@mail.lab.example.edu:993/INBOX";
    worm = new ComplaintLog(fixture.store).save(handler.handle(new ComplaintHandler.Message(mailbox, at, raw.length,
        HOSTILE_SUBJECT, "\"><img src=x onerror=window.__xss=8>", Optional.of("<worm-1@lab-pc-07>"),
        Optional.of(raw))), 1, 1);
    fixture.mailboxes = List.of(new MailboxStatus(mailbox, "watching", at, Optional.empty(), 1));
  }

  @BeforeEach
  void loggedInAsViewer() {
    logIn(DashboardFixture.VIEWER);
  }

  private Object script(String js) {
    return chromium.script(js);
  }

  @Test
  void theListShowsTheComplaintWithItsAnswerHostLinkAndTheHostileSubjectAsText() {
    browser.get(fixture.base() + "/complaints");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("complaint-list")));

    var row = browser.findElement(By.cssSelector("#complaint-list tr[data-complaint-id='" + worm.seq() + "']"));
    assertThat(row.getText()).contains(HOSTILE_SUBJECT).contains("Sent by lab-pc-07").contains("recorded");
    assertThat(row.findElement(By.cssSelector("a[href='/hosts/" + pc07 + "']")).getText()).isEqualTo("lab-pc-07");
    assertThat(browser.findElement(By.id("complaint-mailboxes")).getText()).contains("watching");
    assertThat(script("return typeof window.__xss")).isEqualTo("undefined");
  }

  @Test
  void theComplaintsLinkOpensTheFullTriageView() {
    browser.get(fixture.base() + "/complaints");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("complaint-list")));

    browser.findElement(By.cssSelector("a[href='/complaints/" + worm.seq() + "']")).click();

    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("complaint-candidates")));
    assertThat(browser.findElement(By.id("complaint-answer")).getText()).startsWith("Sent by lab-pc-07");
    assertThat(browser.findElement(By.cssSelector("table.chain")).getText()).contains("mx.lab.example.edu");
    assertThat(browser.findElement(By.id("complaint-candidates")).getText()).contains("lab-pc-07");
    assertThat(script("return typeof window.__xss")).isEqualTo("undefined");
  }
}
