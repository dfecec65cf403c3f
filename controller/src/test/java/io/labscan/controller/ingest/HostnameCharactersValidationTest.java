package io.labscan.controller.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import io.labscan.controller.TestReports;
import io.labscan.controller.cli.ControllerMain;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.CliRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Red-team round 7 of issue #15 (T8): a hostname is printed in answers, tables and logs, so a
 * report whose hostname or FQDN carries a control character, a line break or a bidirectional
 * control is refused, the field named, as other invalid fields are (import and gRPC share the
 * validator). Look-alike letters and dashes are not refused: HostnameKey folds them.
 */
class HostnameCharactersValidationTest {
  @TempDir Path dir;
  private final ReportValidator validator = new ReportValidator(Clock.systemUTC());

  private static Report named(String hostname, String fqdn) {
    Report r = TestReports.fullScan(TestReports.newHostId(), hostname, Instant.now(), 1, "10.20.3.17");
    return r.toBuilder().setInventory(r.getInventory().toBuilder().setFqdn(fqdn)).build();
  }

  @Test
  void aHostnameWithALineBreakAControlCharacterOrABidiControlIsRefusedNamingTheField() {
    for (String bad : List.of("lab-pc-07\r\nINFECTED lab-pc-12", "lab-pc-07\u001b[2J", "lab-pc-07\u0085",
        "lab-pc-07\u2028", "lab-pc-12\u202Etxt.exe", "\u202Alab-pc-07", "lab-pc-07\u2066", "lab-pc-07\u2069")) {
      assertThatThrownBy(() -> validator.validate(named(bad, "")))
          .as("U+%04X", bad.codePoints().filter(cp -> cp < 0x20 || cp > 0x7e).findFirst().orElse(0))
          .isInstanceOfSatisfying(InvalidReportException.class,
              e -> assertThat(e.getMessage()).startsWith("report.inventory.hostname:"));
    }
  }

  @Test
  void anFqdnWithABidiControlIsRefusedNamingTheField() {
    assertThatThrownBy(() -> validator.validate(named("lab-pc-07", "lab-pc-07.lab.example.edu\u202E")))
        .isInstanceOfSatisfying(InvalidReportException.class,
            e -> assertThat(e.getMessage()).startsWith("report.inventory.fqdn:"));
  }

  @Test
  void lookAlikeLettersAndDashesAreAcceptedForHostnameKeyFoldsThem() {
    assertThatCode(() -> validator.validate(named("lab\u2010pc\u201012", "l\u0430b-pc-12.lab.example.edu")))
        .doesNotThrowAnyException();
  }

  @Test
  void importRefusesAReportWhoseHostnameHasALineBreakNamingTheFieldAndStoresNothing() throws Exception {
    Path file = dir.resolve("r.json");
    Files.writeString(file, JsonFormat.printer().print(named("lab-pc-07\nINFECTED lab-pc-12", "")),
        StandardCharsets.UTF_8);
    Path db = dir.resolve("c.db");

    CliRun run = CliRun.run("import", "--db", db.toString(), file.toString());

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("report.inventory.hostname");
    if (Files.exists(db)) {
      try (Storage store = Storage.open(db)) {
        assertThat(store.reportCount()).isZero();
      }
    }
  }
}
