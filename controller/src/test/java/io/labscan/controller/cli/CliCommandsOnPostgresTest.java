package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.TestReports;
import io.labscan.controller.campaign.AgentCommands;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.RuleKind;
import io.labscan.proto.v1.SmtpEgressWindow;
import io.labscan.testsupport.CliRun;
import io.labscan.testsupport.PostgresServer;
import io.labscan.testsupport.PostgresStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command-line commands on a real PostgreSQL database ({@code --db postgresql://USER@HOST/DB}
 * with the password in an owner-only {@code --db-password-file}), run in-process through
 * {@link ControllerMain}: each one's effect is read back from the database, as on SQLite.
 */
class CliCommandsOnPostgresTest {
  private static PostgresServer server;

  @TempDir Path dir;
  private PostgresServer.TestDatabase db;
  private Path passwordFile;

  @BeforeAll
  static void start() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void database() throws Exception {
    db = server.createDatabase();
    passwordFile = dir.resolve("db.pw");
    Files.writeString(passwordFile, db.password() + "\n");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
  }

  /** The --db value: the user in the URL (not a secret), no TLS on loopback (TLS has a test of its own). */
  private String url() {
    return "postgresql://" + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.name() + "?sslmode=disable";
  }

  /** Storage on the test database, its schema created as serve creates it. */
  private Storage storage() {
    return Storage.open(PostgresStorage.url(db), PostgresStorage.credentials(db), Clock.systemUTC());
  }

  /** {@code labscan-controller COMMAND... --db URL --db-password-file FILE MORE...}. */
  private CliRun run(List<String> command, String... more) {
    List<String> args = new ArrayList<>(command);
    args.addAll(List.of("--db", url(), "--db-password-file", passwordFile.toString()));
    args.addAll(List.of(more));
    return CliRun.run(args.toArray(String[]::new));
  }

  private boolean hasSchema() throws Exception {
    try (Connection c = db.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT to_regclass('schema_version') IS NOT NULL")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static AvStatus fresh() {
    return AvStatus.newBuilder().setProvider("clamav").setProduct("ClamAV").setState(AvState.AV_STATE_FRESH).build();
  }

  /** Imports report files through {@code import} on PostgreSQL. */
  private void importReports(Report... reports) throws Exception {
    List<String> files = new ArrayList<>();
    for (int i = 0; i < reports.length; i++) {
      Path f = dir.resolve("report-" + i + ".json");
      Files.writeString(f, JsonFormat.printer().print(reports[i]));
      files.add(f.toString());
    }
    CliRun run = run(List.of("import"), files.toArray(String[]::new)).ok();
    assertThat(run.out()).contains("Imported " + reports.length + " report");
  }

  // ---- creating commands ----

  @Test
  void enrollTokenCreatesTheSchemaInAnEmptyDatabaseAndATokenThatALaterReadAccepts() throws Exception {
    Path pki = dir.resolve("pki");

    CliRun run = run(List.of("enroll-token"), "--pki-dir", pki.toString(), "--lab", "physics-lab", "--uses", "3").ok();

    EnrolmentToken token = EnrolmentToken.parse(run.out().strip());
    assertThat(Files.isRegularFile(pki.resolve("ca.crt"))).isTrue();
    assertThat(run.err()).contains("lab 'physics-lab', 3 uses").doesNotContain("Created database");
    try (Storage store = storage()) {
      assertThat(store.checkToken(token.tokenId(), token.secretHash(), Instant.now()).outcome())
          .isEqualTo(io.labscan.controller.trust.TrustRepository.Outcome.ACCEPTED);
    }
  }

  @Test
  void enrollTokenOnPostgresWithoutPkiDirIsBadInputNamingTheFlag() throws Exception {
    CliRun run = run(List.of("enroll-token"));

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--pki-dir DIR is required with a postgresql:// --db");
    assertThat(hasSchema()).isFalse();
  }

  @Test
  void importStoresReportsThatHostsHostAndInfectedThenShow() throws Exception {
    Instant now = Instant.now();
    String linda = TestReports.newHostId();
    String harold = TestReports.newHostId();
    importReports(
        TestReports.fullScan(linda, "lab-pc-07", now, 1, "10.20.3.17").toBuilder().addAv(fresh())
            .addFindings(ArtifactFinding.newBuilder().setRuleId("klez.system.wink-exe")
                .setRuleKind(RuleKind.RULE_KIND_FILE_NAME).setPath("WINDOWS/SYSTEM32/WINKABCD.EXE")).build(),
        TestReports.fullScan(harold, "lab-pc-12", now, 1, "10.20.3.18").toBuilder().addAv(fresh()).build());

    JsonNode hosts = new ObjectMapper().readTree(run(List.of("hosts"), "--format", "json").ok().out());
    JsonNode infected = new ObjectMapper().readTree(run(List.of("infected"), "--format", "json").ok().out());
    JsonNode host = new ObjectMapper().readTree(run(List.of("host"), "--format", "json", "lab-pc-07").ok().out());

    assertThat(hosts.findValuesAsText("hostname")).containsExactlyInAnyOrder("lab-pc-07", "lab-pc-12");
    assertThat(infected).hasSize(1);
    assertThat(infected.get(0).get("hostname").asText()).isEqualTo("lab-pc-07");
    assertThat(infected.get(0).get("reasons").get(0).get("text").asText()).contains("WINKABCD.EXE");
    assertThat(host.get("hostId").asText()).isEqualTo(linda);
    assertThat(host.get("verdict").get("verdict").asText()).isEqualTo("INFECTED");
  }

  // ---- accounts and tokens ----

  @Test
  void userAddThenListShowsTheUserWithItsRoleAndLabs() throws Exception {
    try (Storage store = storage()) {
      assertThat(store.schemaVersion()).isPositive();
    }
    Path pw = dir.resolve("linda.pw");
    Files.writeString(pw, "correct horse battery staple 7\n");

    run(List.of("user", "add"), "--role", "lab-manager", "--lab", "physics-lab", "--password-file", pw.toString(),
        "linda").ok();
    CliRun list = run(List.of("user", "list")).ok();

    assertThat(list.out().lines()).contains("linda\tlab-manager\tphysics-lab");
  }

  @Test
  void tokenCreateThenRevokeEndsTheTokenForTheNextRead() throws Exception {
    try (Storage store = storage()) {
      assertThat(store.schemaVersion()).isPositive();
    }
    String secret = run(List.of("token", "create"), "--name", "grafana", "--expires", "30d").ok().out().strip();
    String id = secret.substring(secret.indexOf('.') + 1, secret.indexOf('.', secret.indexOf('.') + 1));
    assertThat(run(List.of("token", "list")).ok().out()).contains(id).contains("grafana");

    run(List.of("token", "revoke"), id).ok();

    assertThat(run(List.of("token", "list")).ok().out().lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow())
        .contains("revoked");
  }

  // ---- fleet commands ----

  @Test
  void revokeMarksTheHostRevokedInTheDatabase() throws Exception {
    String id = TestReports.newHostId();
    try (Storage store = storage()) {
      store.ingest(TestReports.fullScan(id, "lab-pc-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "t").join();
    }

    run(List.of("revoke"), "--reason", "stolen laptop", "lab-pc-07").ok();

    try (Storage store = storage()) {
      assertThat(store.revokedHosts()).containsExactly(id);
    }
  }

  @Test
  void policySetsTheEgressWindowAndMailServerAndShowsThem() throws Exception {
    String relay = TestReports.newHostId();
    try (Storage store = storage()) {
      store.ingest(TestReports.fullScan(relay, "relay", Instant.now(), 1, "10.20.3.5"), Instant.now(), "t").join();
    }

    run(List.of("policy"), "--egress-window", "120s", "--mail-server", "relay").ok();
    CliRun shown = run(List.of("policy")).ok();

    assertThat(shown.out()).contains("Egress window:     120 s").contains("relay");
    try (Storage store = storage()) {
      assertThat(store.hostsWithRole("mail-server")).containsExactly(relay);
    }
  }

  @Test
  void scanNowRecordsACampaignRunForEveryHost() throws Exception {
    try (Storage store = storage()) {
      store.ingest(TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1, "10.20.3.7"),
          Instant.now(), "t").join();
    }

    run(List.of("scan-now")).ok();

    try (Storage store = storage();
        CampaignService campaigns = new CampaignService(store, AgentCommands.none(), lab -> List.of(),
            Clock.systemUTC())) {
      assertThat(campaigns.list()).singleElement().satisfies(c ->
          assertThat(campaigns.runs(c.campaignId(), 5)).singleElement().satisfies(r ->
              assertThat(r.firedBy()).isEqualTo("command line")));
    }
  }

  @Test
  void pruneDeletesOldReportsButKeepsTheHostsLatestFullScan() throws Exception {
    String id = TestReports.newHostId();
    try (Storage store = storage()) {
      for (int i = 0; i < 3; i++) {
        Instant at = Instant.now().minus(Duration.ofDays(60 - i));
        store.ingest(TestReports.fullScan(id, "lab-pc-07", at, i + 1, "10.20.3.17"), at, "t").join();
      }
    }

    CliRun run = run(List.of("prune")).ok();

    assertThat(run.out()).contains("Deleted 2 rows");
    try (Storage store = storage()) {
      assertThat(store.reportCount()).isEqualTo(1);
    }
  }

  @Test
  void triageTracesTheComplaintAndRecordsTheAnswerInPostgres() throws Exception {
    Instant worm = Instant.now().minus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String linda = TestReports.newHostId();
    try (Storage store = storage()) {
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", worm.minusSeconds(3600), 1, "10.20.3.17").toBuilder()
          .addAv(fresh()).build(), worm.minusSeconds(3600), "t").join();
      store.ingest(TestReports.fullScan(linda, "lab-pc-07", worm.plusSeconds(120), 2, "10.20.3.17").toBuilder()
          .addAv(fresh()).addEgress(SmtpEgressWindow.newBuilder()
              .setWindowStart(Timestamps.fromMillis(worm.minusSeconds(30).toEpochMilli()))
              .setWindowEnd(Timestamps.fromMillis(worm.plusSeconds(30).toEpochMilli()))
              .setFirstSeen(Timestamps.fromMillis(worm.minusSeconds(25).toEpochMilli()))
              .setLastSeen(Timestamps.fromMillis(worm.plusSeconds(20).toEpochMilli()))
              .setPid(4242).setProcessName("winkabcd.exe").setConnections(6).setDistinctDestinations(1)
              .addDestinations(EgressDestination.newBuilder().setIp("10.20.0.25").setPort(25).setConnections(6))
              .setAllowed(false).setSource("poll")).build(), worm.plusSeconds(120), "t").join();
    }
    DateTimeFormatter rfc5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT)
        .withZone(ZoneOffset.UTC);
    Path complaint = dir.resolve("complaint.eml");
    Files.writeString(complaint, String.join("\r\n",
        "Received: from mx.lab.example.edu (mx.lab.example.edu [10.20.0.25])",
        "\tby mail.lab.example.edu (Postfix) with ESMTP id 9A1B2C3D; " + rfc5322.format(worm.plusSeconds(2)),
        "Received: from harold-pc (unknown [10.20.3.17])",
        "\tby mx.lab.example.edu (Postfix) with SMTP id 4F1E2D; " + rfc5322.format(worm),
        "From: Harold <harold@lab.example.edu>",
        "To: janet@lab.example.edu",
        "Subject: let's be friends",
        "Date: " + rfc5322.format(worm.minusSeconds(3)),
        "Message-ID: <first@harold-pc>",
        "",
        "A harmless stand-in for the worm's message.",
        ""), StandardCharsets.US_ASCII);

    CliRun run = run(List.of("triage"), "--trust", "mx.lab.example.edu", "--format", "json", complaint.toString()).ok();

    JsonNode result = new ObjectMapper().readTree(run.out());
    assertThat(result.get("candidates").get(0).get("hostId").asText()).isEqualTo(linda);
    try (Connection c = db.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT host_id FROM complaint_traces")) {
      assertThat(rs.next()).as("a complaint trace was recorded").isTrue();
      assertThat(rs.getString(1)).isEqualTo(linda);
    }
  }

  @Test
  void theOtherDatabaseCommandsRunOnPostgres() throws Exception {
    String id = TestReports.newHostId();
    try (Storage store = storage()) {
      store.ingest(TestReports.fullScan(id, "phys-07", Instant.now(), 1, "10.20.3.17"), Instant.now(), "t").join();
    }

    run(List.of("owner"), "harold@lab.example.edu", "phys-07").ok();
    run(List.of("lab-rule", "add"), "--lab", "physics-lab", "--hostname", "phys-*").ok();
    assertThat(run(List.of("lab-rule", "list")).ok().out()).contains("physics-lab").contains("phys-*");
    run(List.of("quarantine"), "--reason", "worm", "phys-07").ok();
    run(List.of("release"), "--reason", "cleaned", "phys-07").ok();
    assertThat(run(List.of("rules")).ok().out()).isNotBlank();
    run(List.of("report"), "--format", "csv").ok();
  }

  // ---- doctor ----

  @Test
  void doctorReportsReachabilityServerVersionSchemaVersionAndTlsOfTheConnection() throws Exception {
    try (Storage store = storage()) {
      assertThat(store.schemaVersion()).isPositive();
    }
    String verified = "postgresql://" + db.user() + "@127.0.0.1:" + db.port() + "/" + db.name()
        + "?sslmode=verify-full&sslrootcert=" + server.certificate();

    CliRun run = CliRun.run("doctor", "--db", verified, "--db-password-file", passwordFile.toString(), "--pki-dir",
        dir.resolve("pki").toString(), "--grpc-port", "0", "--http-port", "0", "--insecure");

    assertThat(run.out())
        .containsPattern("PostgreSQL postgresql://\\S+ is reachable as " + db.user() + " \\(server version \\d+")
        .contains("the database is at schema version " + io.labscan.controller.store.postgres.PostgresMigrations.latest()
            + " (current)")
        .contains("the connection to the database is encrypted with TLS (TLSv1.")
        .contains("the server's certificate and name are checked")
        .contains("the database takes writes")
        .doesNotContain("does not exist");
  }

  @Test
  void doctorSaysAPostgresDatabaseWithoutSchemaHasNoneAndCreatesNothing() throws Exception {
    CliRun run = CliRun.run("doctor", "--db", url(), "--db-password-file", passwordFile.toString(), "--pki-dir",
        dir.resolve("pki").toString(), "--grpc-port", "0", "--http-port", "0", "--insecure");

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).contains("not encrypted (sslmode=disable), on loopback")
        .contains("holds no LabScan schema yet");
    assertThat(hasSchema()).isFalse();
  }

  // ---- refusals ----

  @Test
  void aPasswordInTheUrlIsRefusedWithoutRepeatingIt() {
    String withPassword = "postgresql://" + db.user() + ":" + db.password() + "@127.0.0.1:" + db.port() + "/"
        + db.name() + "?sslmode=disable";
    for (List<String> command : List.of(List.of("hosts"), List.of("user", "list"), List.of("token", "list"),
        List.of("enroll-token"), List.of("prune"), List.of("doctor"))) {
      CliRun run = CliRun.run(concat(command, "--db", withPassword));

      assertThat(run.code()).as("%s", command).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
      assertThat(run.err()).as("%s", command).contains("the PostgreSQL URL contains a password")
          .doesNotContain(db.password());
    }
  }

  @Test
  void readCommandsRefuseADatabaseWithoutLabscanSchemaAndCreateNothing() throws Exception {
    for (List<String> command : List.of(List.of("hosts"), List.of("infected"), List.of("user", "list"),
        List.of("token", "list"), List.of("policy"), List.of("prune"), List.of("scan-now"))) {
      CliRun run = run(command);

      assertThat(run.code()).as("%s", command).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
      assertThat(run.err()).as("%s", command).contains("holds no LabScan schema yet")
          .contains("labscan-controller serve --db");
    }
    assertThat(hasSchema()).isFalse();
  }

  @Test
  void aPasswordFileWithASqliteDatabaseIsBadInput() throws Exception {
    Path file = dir.resolve("controller.db");
    try (Storage store = Storage.open(file)) {
      assertThat(store.schemaVersion()).isPositive();
    }

    CliRun run = CliRun.run("hosts", "--db", file.toString(), "--db-password-file", passwordFile.toString());

    assertThat(run.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--db-password-file is for a postgresql:// --db");
  }

  private static String[] concat(List<String> command, String... more) {
    List<String> all = new ArrayList<>(command);
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
