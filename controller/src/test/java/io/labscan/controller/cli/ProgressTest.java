package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.labscan.controller.TestReports;
import io.labscan.testsupport.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress line of long CLI work: on a terminal only, throttled, blanked at the end. */
class ProgressTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private final AtomicLong nanos = new AtomicLong();

  private String shown() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aStepIsShownAsOneLineRewrittenInPlace() {
    Progress p = Progress.to(terminal, "Storing reports", nanos::get);
    p.step(1, 40);
    assertThat(shown()).isEqualTo("\rStoring reports: 1 of 40 (2%)");
  }

  @Test
  void stepsWithin250MillisecondsOfTheLastLineAreNotShown() {
    Progress p = Progress.to(terminal, "Storing reports", nanos::get);
    p.step(1, 40);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    p.step(2, 40);
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
    p.step(3, 40);
    assertThat(shown()).isEqualTo("\rStoring reports: 1 of 40 (2%)\rStoring reports: 3 of 40 (7%)");
  }

  @Test
  void theLastStepIsAlwaysShown() {
    Progress p = Progress.to(terminal, "Checking report files", nanos::get);
    p.step(1, 2);
    p.step(2, 2);
    assertThat(shown()).endsWith("\rChecking report files: 2 of 2 (100%)");
  }

  @Test
  void closingBlanksTheLineSoTheResultStartsClean() {
    Progress p = Progress.to(terminal, "Recomputing verdicts", nanos::get);
    p.step(512, 1_000);
    String line = "Recomputing verdicts: 512 of 1,000 (51%)";
    p.close();
    assertThat(shown()).isEqualTo("\r" + line + "\r" + " ".repeat(line.length()) + "\r");
  }

  @Test
  void quietProgressPrintsNothing() {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try (Progress p = Progress.quiet()) {
      p.step(1, 2);
      p.step(2, 2);
    } finally {
      System.setErr(oldErr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void importOfManyFilesWithOutputRedirectedPrintsOnlyTheResult() throws Exception {
    List<String> args = new ArrayList<>(List.of("import", "--db", dir.resolve("c.db").toString()));
    for (int i = 0; i < 60; i++) {
      Path file = dir.resolve("r" + i + ".json");
      Files.writeString(file, JsonFormat.printer().print(TestReports.fullScan(TestReports.newHostId(),
          "lab-pc-" + i, Instant.now().minusSeconds(60), 1, "10.20.3." + (i + 1))));
      args.add(file.toString());
    }
    CliRun run = CliRun.run(args.toArray(String[]::new));
    assertThat(run.code()).isZero();
    assertThat(Progress.onTerminal()).as("the test's output is not a terminal").isFalse();
    assertThat(run.out()).isEqualTo("Imported 60 reports into " + dir.resolve("c.db")
        + "." + System.lineSeparator());
    assertThat(run.err()).doesNotContain("\r").doesNotContain("Storing reports")
        .doesNotContain("Checking report files");
  }
}
