package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code labscan-controller import}: validation, de-duplication, nothing stored on error. */
class ImportCommandTest {
  @TempDir Path dir;
  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  private Path validReportFile(String name) throws Exception {
    Report report = TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 3, "10.20.3.17");
    return write(name, JsonFormat.printer().print(report));
  }

  private long storedReports() {
    Path db = dir.resolve("c.db");
    if (!Files.exists(db)) {
      return 0;
    }
    try (Storage store = Storage.open(db)) {
      return store.reportCount();
    }
  }

  @Test
  void aValidReportIsStored() throws Exception {
    Path file = validReportFile("r.json");
    assertThat(run("import", "--db", dir.resolve("c.db").toString(), file.toString()).code()).isZero();
    assertThat(storedReports()).isEqualTo(1);
  }

  @Test
  void importingTheSameFileTwiceStoresItOnce() throws Exception {
    Path file = validReportFile("r.json");
    run("import", "--db", dir.resolve("c.db").toString(), file.toString());
    CliRun second = run("import", "--db", dir.resolve("c.db").toString(), file.toString());
    assertThat(second.code()).isZero();
    assertThat(storedReports()).isEqualTo(1);
    assertThat(second.out()).contains("1 already stored");
  }

  @Test
  void aFileThatIsNotJsonFailsWithExitCode2NamingTheFile() throws Exception {
    Path file = write("notes.txt", "Subject: let's be friends\n\nhello\n");
    CliRun run = run("import", "--db", dir.resolve("c.db").toString(), file.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(file.toString()).contains("not JSON");
    assertThat(storedReports()).isZero();
  }

  @Test
  void jsonOfTheWrongSchemaFailsWithExitCode2NamingTheProblem() throws Exception {
    Path file = write("other.json", "{\"hosts\": [{\"name\": \"lab-pc-07\"}]}");
    CliRun run = run("import", "--db", dir.resolve("c.db").toString(), file.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(file.toString()).contains("not a LabScan report").contains("hosts");
    assertThat(storedReports()).isZero();
  }

  @Test
  void aTruncatedReportFailsWithExitCode2() throws Exception {
    String json = Files.readString(validReportFile("full.json"));
    Path file = write("cut.json", json.substring(0, json.length() / 2));
    CliRun run = run("import", "--db", dir.resolve("c.db").toString(), file.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(file.toString()).contains("not a LabScan report");
    assertThat(storedReports()).isZero();
  }

  @Test
  void aSchemaValidReportWithImpossibleValuesFailsNamingTheField() throws Exception {
    Path file = write("bad.json", Files.readString(validReportFile("ok.json"))
        .replace("\"sequence\": \"3\"", "\"sequence\": \"-3\""));
    CliRun run = run("import", "--db", dir.resolve("c.db").toString(), file.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("report.sequence");
  }

  @Test
  void oneBadFileAmongGoodOnesStoresNothing() throws Exception {
    Path good = validReportFile("good.json");
    Path bad = write("bad.json", "{ not json");
    CliRun run = run("import", "--db", dir.resolve("c.db").toString(), good.toString(), bad.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(bad.toString()).contains("nothing imported");
    assertThat(storedReports()).isZero();
  }

  @Test
  void aMissingFileFailsWithExitCode2() {
    CliRun run = run("import", "--db", dir.resolve("c.db").toString(), dir.resolve("nope.json").toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("nope.json").contains("no such file");
  }

  @Test
  void anEmptyFileFailsWithExitCode2() throws Exception {
    Path file = write("empty.json", "");
    CliRun run = run("import", "--db", dir.resolve("c.db").toString(), file.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("empty.json").contains("empty");
  }
}
