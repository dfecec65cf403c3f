package io.labscan.controller.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.doctor.DoctorReport;
import io.labscan.contract.doctor.Finding;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.controller.trust.ServerNames;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerDoctorTest {
  static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");

  @TempDir Path dir;

  private final ControllerDoctor doctor = new ControllerDoctor(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(1));

  @Test
  void aBrokenInstallationHasEachProblemNamedWithTheCommandThatFixesIt() throws Exception {
    Path db = dir.resolve("labscan.db");
    // The CA was made almost ten years ago (it ends in 10 days), and so was the server certificate (ended).
    CertificateAuthority.loadOrCreate(CertificateAuthority.folderFor(db),
        Clock.fixed(NOW.minus(Duration.ofDays(3640)), ZoneOffset.UTC))
        .serverIdentity(ServerNames.withDefaults(List.of("labscan.example.edu")));
    try (Storage store = Storage.open(db)) {
      store.enroll("7f3c9a1e-0000-4000-8000-00000000c0de", "lab-pc-31", NOW.minus(Duration.ofDays(3))).join();
      store.write(c -> {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO host_enrolments(host_id, lab, token_id, "
            + "certificate_serial, certificate_not_after_ms, enrolled_ms) VALUES (?, 'physics-lab', '0a1b2c3d4e5f', "
            + "'01', ?, ?)")) {
          ps.setString(1, "7f3c9a1e-0000-4000-8000-00000000c0de");
          ps.setLong(2, NOW.plus(Duration.ofDays(362)).toEpochMilli());
          ps.setLong(3, NOW.minus(Duration.ofDays(3)).toEpochMilli());
          ps.executeUpdate();
        }
        return null;
      }).join();
    }
    int port = freePort();
    ControllerDoctor.Settings settings = new ControllerDoctor.Settings(db, port, Optional.empty(), port, "127.0.0.1",
        "127.0.0.1", false, List.of());

    List<Finding> findings = doctor.examine(settings);

    Path pki = CertificateAuthority.folderFor(db);
    assertThat(problems(findings)).containsExactly(
        "the CA certificate " + pki.resolve("ca.crt") + " ends on 2026-12-17 09:00 UTC, in 10 days\n"
            + "  fix: a new CA means enrolling every agent again: move " + pki + " aside, restart serve, and enrol "
            + "the agents with a new enroll-token (labscan-agent enroll --force)",
        "the server certificate " + pki.resolve("server.crt") + " ended on 2017-12-19 09:00 UTC\n"
            + "  fix: restart serve: it reissues a server certificate within 30 days of its end "
            + "(sudo systemctl restart labscan-controller)",
        "--http-port (web UI) and --grpc-port (agents) are both port " + port + "\n"
            + "  fix: give each its own port, e.g. --http-port 8080 --grpc-port 7443 --enroll-port 7444",
        "1 enrolled agent has never delivered a report: lab-pc-31 (7f3c9a1e-0000-4000-8000-00000000c0de)\n"
            + "  fix: on each: labscan-agent doctor --config /etc/labscan/agent.yaml (and journalctl -u labscan-agent)");
    assertThat(warnings(findings)).containsExactly(
        "no host is a mail server in the policy: every host's outbound SMTP is forbidden egress, a lab relay's too\n"
            + "  fix: labscan-controller policy --db " + db + " --mail-server HOST (for each host that relays mail)",
        "triage knows none of your mail servers: no --trust, no trusted MTA on the Settings page, and no host "
            + "with the mail-server role, so complaint answers cannot be followed back through your MX and are never "
            + "recorded as evidence\n"
            + "  fix: give your MX's agent the role (labscan-controller policy --mail-server MX_HOST), or add it on "
            + "the Settings page, or add --trust MX_HOST_OR_CIDR to serve's flags "
            + "(LABSCAN_CONTROLLER_FLAGS in /etc/default/labscan-controller)");
    assertThat(DoctorReport.print(findings, quiet())).isEqualTo(DoctorReport.EXIT_PROBLEMS);
  }

  @Test
  void aDatabaseThatDoesNotExistIsNamedAndNotCreated() throws IOException {
    Path db = dir.resolve("labscan.db");

    List<Finding> findings = doctor.examine(new ControllerDoctor.Settings(db, freePort(), Optional.empty(), freePort(),
        "127.0.0.1", "127.0.0.1", false, List.of("mx.example.edu")));

    assertThat(problems(findings)).startsWith("the database " + db + " does not exist\n"
        + "  fix: labscan-controller serve --db " + db + " (creates it; or enroll-token --db " + db + ")");
    assertThat(db).doesNotExist();
    assertThat(CertificateAuthority.folderFor(db)).doesNotExist();
  }

  @Test
  void aPortHeldByAnotherProgramOnAnAddressThatIsNotThisMachinesIsAProblem() throws IOException {
    Path db = dir.resolve("labscan.db");
    Storage.open(db).close();

    List<Finding> findings = doctor.examine(new ControllerDoctor.Settings(db, freePort(), Optional.empty(), freePort(),
        "127.0.0.1", "192.0.2.10", true, List.of("mx.example.edu")));

    assertThat(findings).filteredOn(f -> f.level() == Finding.Level.PROBLEM).singleElement()
        .satisfies(f -> assertThat(f.what()).startsWith("--http-port (web UI) 192.0.2.10:").contains("cannot be used"));
  }

  @Test
  void aHealthyNewInstallationHasNoProblems() throws IOException {
    Path db = dir.resolve("labscan.db");
    CertificateAuthority.loadOrCreate(CertificateAuthority.folderFor(db), Clock.fixed(NOW, ZoneOffset.UTC))
        .serverIdentity(ServerNames.withDefaults(List.of("labscan.example.edu")));
    Storage.open(db).close();
    int grpc = freePort();

    List<Finding> findings = doctor.examine(new ControllerDoctor.Settings(db, grpc, Optional.of(freePort()), freePort(),
        "127.0.0.1", "127.0.0.1", false, List.of("mx.example.edu")));

    assertThat(problems(findings)).isEmpty();
    assertThat(warnings(findings)).isEmpty();
    assertThat(findings).extracting(Finding::what).anySatisfy(w -> assertThat(w)
        .startsWith("the server certificate is valid until 2027-12-07").contains("labscan.example.edu"));
    assertThat(DoctorReport.print(findings, quiet())).isEqualTo(DoctorReport.EXIT_HEALTHY);
  }

  @Test
  void aTrustedMtaOnTheSettingsPageIsEnoughForTriageWithoutTrustFlags() throws IOException {
    Path db = dir.resolve("labscan.db");
    try (Storage store = Storage.open(db)) {
      new TrustedMtas(store.database(), Clock.fixed(NOW, ZoneOffset.UTC)).add("mx.example.edu", "admin");
    }

    List<Finding> findings = doctor.examine(new ControllerDoctor.Settings(db, freePort(), Optional.empty(), freePort(),
        "127.0.0.1", "127.0.0.1", true, List.of()));

    assertThat(warnings(findings)).noneMatch(w -> w.startsWith("triage knows none of your mail servers"));
    assertThat(findings).extracting(Finding::what)
        .anySatisfy(w -> assertThat(w).isEqualTo("triage trusts the Received: lines of mx.example.edu"));
  }

  private static List<String> problems(List<Finding> findings) {
    return rendered(findings, Finding.Level.PROBLEM);
  }

  private static List<String> warnings(List<Finding> findings) {
    return rendered(findings, Finding.Level.WARNING);
  }

  private static List<String> rendered(List<Finding> findings, Finding.Level level) {
    return findings.stream().filter(f -> f.level() == level)
        .map(f -> f.what() + f.fix().map(x -> "\n  fix: " + x).orElse("")).toList();
  }

  private static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
