package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.testsupport.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code triage} for IT staff at any machine with just the jar: no controller database, so the
 * origin and its explanation, and a plain statement that no fleet data was used.
 */
class TriageWithoutDatabaseTest {
  @TempDir Path dir;

  /** Janet's complaint as her mailbox server stored it: the worm on 10.20.3.17 forged Harold's From:. */
  private Path complaint() throws Exception {
    String text = String.join("\r\n",
        "Return-Path: <harold@example.edu>",
        "Received: from mx.example.edu (mx.example.edu [10.20.0.25])",
        "\tby mailbox.example.edu (Postfix) with ESMTPS id 4QzK7m1R2fz9vBw",
        "\tfor <janet@example.edu>; Mon, 7 Dec 2026 09:14:13 +0000",
        "Received: from lab-pc-12 (unknown [10.20.3.17])",
        "\tby mx.example.edu (Postfix) with SMTP id 7D1E23A04F",
        "\tfor <janet@example.edu>; Mon, 7 Dec 2026 09:14:11 +0000",
        "From: Harold <harold@example.edu>",
        "To: janet@example.edu",
        "Subject: A very funny website",
        "Date: Mon, 7 Dec 2026 09:14:07 +0000",
        "Message-ID: <LT7R9QZK2@lab-pc-12>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain",
        "",
        "This is a very funny website, have a look.",
        "");
    Path file = dir.resolve("complaint.eml");
    Files.writeString(file, text, StandardCharsets.US_ASCII);
    return file;
  }

  @Test
  void withoutDbTheOriginAndItsExplanationArePrintedAndNoFleetDataIsSaid() throws Exception {
    CliRun r = run("triage", "--trust", "10.20.0.25", complaint().toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("No fleet data was used")
        .contains("Origin: 10.20.3.17 at 2026-12-07T09:14:11Z (hop 1, recorded by mx.example.edu)")
        .contains("trusted because").contains("--trust 10.20.0.25")
        .contains("Claimed sender (From:, not evidence of who sent it): harold@example.edu")
        .contains("No candidate host.");
  }

  @Test
  void aDatabaseFileThatDoesNotExistIsNotCreated() throws Exception {
    Path db = dir.resolve("nowhere").resolve("labscan.db");

    CliRun r = run("triage", "--db", db.toString(), "--trust", "10.20.0.25", complaint().toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("No fleet data was used").contains("Origin: 10.20.3.17");
    assertThat(db).doesNotExist();
    assertThat(dir.resolve("nowhere")).doesNotExist();
  }

  @Test
  void jsonWithoutDbHasTheOriginAndSaysOnStandardErrorThatNoFleetDataWasUsed() throws Exception {
    CliRun r = run("triage", "--trust", "10.20.0.25", "--format", "json", complaint().toString());

    assertThat(r.code()).as(r.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(r.out());
    assertThat(result.get("origin").get("ip").asText()).isEqualTo("10.20.3.17");
    assertThat(result.get("candidates")).isEmpty();
    assertThat(r.err()).contains("No fleet data was used");
  }

  @Test
  void withoutDbAFileThatIsNotMailStillFailsWithExitCode2() throws Exception {
    Path notMail = dir.resolve("report.json");
    Files.writeString(notMail, "{\"reportId\": \"x\"}");

    CliRun r = run("triage", notMail.toString());

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("not a mail message");
  }
}
