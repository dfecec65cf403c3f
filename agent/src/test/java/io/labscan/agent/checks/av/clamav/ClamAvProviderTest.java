package io.labscan.agent.checks.av.clamav;

import static io.labscan.agent.checks.av.clamav.CvdFixtures.database;
import static io.labscan.agent.checks.av.clamav.CvdFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClamAvProviderTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final Instant MAIN_BUILT = Instant.parse("2021-09-16T14:02:00Z");
  private static final Instant BYTECODE_BUILT = Instant.parse("2024-02-26T06:03:00Z");

  @TempDir Path root;

  private AvDetection detect() {
    return new ClamAvProvider().detect(
        new AvContext(root, NOW, Duration.ofDays(3), List.of()));
  }

  private AvStatus onlyStatus() {
    AvDetection detection = detect();
    assertThat(detection.statuses()).hasSize(1);
    return detection.statuses().get(0);
  }

  private Path debianDatabases() {
    return root.resolve("var/lib/clamav");
  }

  private void writeMainAndBytecode(Path dir) throws IOException {
    write(dir, "main.cvd", database(62, MAIN_BUILT));
    write(dir, "bytecode.cvd", database(335, BYTECODE_BUILT));
  }

  @Test
  void freshDailyCvdIsReportedFreshWithDailysVersion() throws IOException {
    writeMainAndBytecode(debianDatabases());
    Instant built = NOW.minus(Duration.ofHours(5));
    write(debianDatabases(), "daily.cvd", database(27470, built));

    AvStatus status = onlyStatus();

    assertThat(status.getProvider()).isEqualTo("clamav");
    assertThat(status.getProduct()).isEqualTo("ClamAV");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getDefinitionsVersion()).isEqualTo("27470");
    assertThat(status.getDefinitionsTime().getSeconds()).isEqualTo(built.getEpochSecond());
    assertThat(status.getDefinitionsAgeSeconds()).isEqualTo(Duration.ofHours(5).toSeconds());
    assertThat(status.getEngineVersion()).isEmpty();
    assertThat(status.getSource()).isEqualTo("/var/lib/clamav");
    assertThat(status.getReason())
        .startsWith("daily.cvd built 2026-11-27 07:00 UTC (5 hours ago; limit 3 days)")
        .contains("main.cvd version 62", "daily.cvd version 27470", "bytecode.cvd version 335");
  }

  @Test
  void staleDailyCldIsReportedStaleWithItsAge() throws IOException {
    writeMainAndBytecode(debianDatabases());
    Instant built = Instant.parse("2026-11-20T08:02:00Z");
    write(debianDatabases(), "daily.cld", database(27463, built));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getDefinitionsAgeSeconds())
        .isEqualTo(Duration.between(built, NOW).toSeconds());
    assertThat(status.getReason()).startsWith(
        "daily.cld built 2026-11-20 08:02 UTC (7 days 3 hours ago; limit 3 days)");
  }

  @Test
  void cldWithTheHigherVersionWinsOverTheCvd() throws IOException {
    write(debianDatabases(), "daily.cvd", database(27400, Instant.parse("2026-09-01T00:00:00Z")));
    write(debianDatabases(), "daily.cld", database(27470, NOW.minus(Duration.ofDays(1))));

    AvStatus status = onlyStatus();

    assertThat(status.getDefinitionsVersion()).isEqualTo("27470");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getReason()).startsWith("daily.cld built");
  }

  @Test
  void cvdWithTheHigherVersionWinsOverAnOlderCld() throws IOException {
    write(debianDatabases(), "daily.cld", database(27400, Instant.parse("2026-09-01T00:00:00Z")));
    write(debianDatabases(), "daily.cvd", database(27470, NOW.minus(Duration.ofDays(1))));

    AvStatus status = onlyStatus();

    assertThat(status.getDefinitionsVersion()).isEqualTo("27470");
    assertThat(status.getReason()).startsWith("daily.cvd built").doesNotContain("daily.cld");
  }

  @Test
  void databaseDirectoryInFreshclamConfReplacesTheDefaults() throws IOException {
    write(root.resolve("etc/clamav"), "freshclam.conf", """
        DatabaseOwner clamav
        DatabaseDirectory /srv/clamav-db
        """.getBytes(StandardCharsets.UTF_8));
    write(root.resolve("srv/clamav-db"), "daily.cld", database(27470, NOW.minus(Duration.ofDays(1))));
    write(debianDatabases(), "daily.cvd", database(25000, Instant.parse("2020-01-01T00:00:00Z")));

    AvStatus status = onlyStatus();

    assertThat(status.getSource()).isEqualTo("/srv/clamav-db");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
  }

  @Test
  void configuredDirectoryWithoutDatabasesIsStale() throws IOException {
    write(root.resolve("etc/clamav"), "freshclam.conf",
        "DatabaseDirectory /srv/empty\n".getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(root.resolve("srv/empty"));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getSource()).isEqualTo("/etc/clamav/freshclam.conf");
    assertThat(status.getReason()).isEqualTo(
        "/etc/clamav/freshclam.conf sets DatabaseDirectory '/srv/empty',"
            + " which holds no ClamAV database");
  }

  @Test
  void truncatedHeaderIsUnknownAndNamesTheFile() throws IOException {
    writeMainAndBytecode(debianDatabases());
    write(debianDatabases(), "daily.cvd",
        Arrays.copyOf(database(27470, NOW), 100));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason()).isEqualTo("cannot read ClamAV databases in /var/lib/clamav:"
        + " daily.cvd: header truncated: 100 of 512 bytes");
  }

  @Test
  void garbageHeaderIsUnknownAndSaysWhatIsWrong() throws IOException {
    byte[] garbage = new byte[4096];
    Arrays.fill(garbage, (byte) 'A');
    garbage[0] = 'P';
    garbage[1] = 'K';
    garbage[2] = 3;
    write(debianDatabases(), "daily.cld", garbage);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason())
        .endsWith("daily.cld: not a ClamAV database header (byte 0x03 at offset 2)");
  }

  @Test
  void headerWithNonNumericFieldsIsUnknown() throws IOException {
    String text = CvdFixtures.headerText(27470, NOW).replace(":27470:", ":latest:");
    write(debianDatabases(), "daily.cvd", CvdFixtures.padded(text));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason()).endsWith("daily.cvd: version is not a number: 'latest'");
  }

  @Test
  void emptyDatabaseFileIsUnknown() throws IOException {
    writeMainAndBytecode(debianDatabases());
    write(debianDatabases(), "daily.cld", new byte[0]);

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(status.getReason()).endsWith("daily.cld: empty file");
  }

  @Test
  void windowsDatabaseFolderIsFoundWhateverTheCaseOnDisk() throws IOException {
    Path folder = root.resolve("PROGRAM FILES/clamav/Database");
    write(folder, "DAILY.CVD", database(27470, NOW.minus(Duration.ofHours(2))));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getSource()).isEqualTo("/PROGRAM FILES/clamav/Database");
    assertThat(status.getDefinitionsVersion()).isEqualTo("27470");
  }

  @Test
  void windowsDatabaseDirectorySettingIsResolvedUnderTheRoot() throws IOException {
    write(root.resolve("Program Files/ClamAV"), "freshclam.conf",
        "DatabaseDirectory C:\\ClamDB\r\n".getBytes(StandardCharsets.UTF_8));
    write(root.resolve("clamdb"), "daily.cvd", database(27470, NOW.minus(Duration.ofHours(2))));

    AvStatus status = onlyStatus();

    assertThat(status.getSource()).isEqualTo("/clamdb");
    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
  }

  @Test
  void linkPointingOutsideTheRootIsReadInsideTheRoot(@TempDir Path outside)
      throws IOException {
    write(outside, "daily.cvd", database(27470, NOW));
    Files.createDirectories(root.resolve("var/lib"));
    Files.createSymbolicLink(root.resolve("var/lib/clamav"), outside.toAbsolutePath());

    assertThat(detect().statuses()).isEmpty();
  }

  @Test
  void absoluteLinkIsFollowedWithTheRootAsSlash() throws IOException {
    write(root.resolve("srv/clamav"), "daily.cvd", database(27470, NOW));
    Files.createDirectories(root.resolve("var/lib"));
    Files.createSymbolicLink(root.resolve("var/lib/clamav"), Path.of("/srv/clamav"));

    AvStatus status = onlyStatus();

    assertThat(status.getSource()).isEqualTo("/srv/clamav");
  }

  @Test
  void mainDatabaseAloneIsJudgedByItsOwnDateAndSaysDailyIsMissing() throws IOException {
    write(debianDatabases(), "main.cvd", database(62, MAIN_BUILT));

    AvStatus status = onlyStatus();

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getDefinitionsVersion()).isEmpty();
    assertThat(status.getReason()).startsWith("main.cvd built").endsWith("; no daily database");
  }

  @Test
  void machineWithoutClamAvReportsNothing() throws IOException {
    Files.createDirectories(root.resolve("var/lib/dpkg"));

    AvDetection detection = detect();

    assertThat(detection.statuses()).isEmpty();
    assertThat(detection.problems()).isEmpty();
  }
}
