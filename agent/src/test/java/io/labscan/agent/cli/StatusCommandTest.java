package io.labscan.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.trust.Certificates;
import io.labscan.proto.v1.Report;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code labscan-agent status}: the state folder as an operator or a monitoring script sees it. */
class StatusCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream stdout;

  @BeforeEach
  void captureOutput() {
    stdout = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreOutput() {
    System.setOut(stdout);
  }

  private Path state() throws Exception {
    return Files.createDirectories(dir.resolve("state"));
  }

  private int status(String... extra) throws Exception {
    String[] args = new String[3 + extra.length];
    args[0] = "status";
    args[1] = "--state-dir";
    args[2] = state().toString();
    System.arraycopy(extra, 0, args, 3, extra.length);
    return AgentMain.commandLine().execute(args);
  }

  private JsonNode json() throws Exception {
    return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
  }

  /** Credentials whose certificate (self-signed: enough for the files) ends at {@code end}. */
  private void enrolledUntil(Instant end) throws Exception {
    String host = HostIdentity.loadOrCreate(state());
    KeyPair keys = Certificates.newKeyPair();
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
        Certificates.commonNameSubject(host), BigInteger.TEN, Date.from(end.minus(Duration.ofDays(365))),
        Date.from(end), Certificates.commonNameSubject(host), keys.getPublic())
        .build(new JcaContentSignerBuilder(Certificates.SIGNATURE).build(keys.getPrivate())));
    new AgentCredentials(keys.getPrivate(), cert, cert).save(state());
  }

  @Test
  void anEnrolledAgentWithAValidCertificateIsHealthyAndSaysWhenItRenews() throws Exception {
    Instant end = Instant.now().plus(Duration.ofDays(200));
    enrolledUntil(end);

    int code = status("--json");

    assertThat(code).isZero();
    JsonNode s = json();
    assertThat(s.get("hostId").asText()).isEqualTo(HostIdentity.loadOrCreate(state()));
    assertThat(Instant.parse(s.get("certificateEnds").asText())).isEqualTo(end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    assertThat(Instant.parse(s.get("renewalStarts").asText()))
        .isEqualTo(end.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(Duration.ofDays(30)));
    assertThat(s.get("healthy").asBoolean()).isTrue();
  }

  @Test
  void reportsWaitingInTheSpoolAreCounted() throws Exception {
    enrolledUntil(Instant.now().plus(Duration.ofDays(200)));
    try (Spool spool = Spool.open(state())) {
      spool.add(Report.newBuilder().setReportId(UUID.randomUUID().toString()).setSequence(1).build());
      spool.add(Report.newBuilder().setReportId(UUID.randomUUID().toString()).setSequence(2).build());
    }

    status("--json");

    assertThat(json().get("spooledReports").asLong()).isEqualTo(2);
    assertThat(json().get("oldestSpooled").isNull()).isFalse();
  }

  @Test
  void anEndedCertificateNeedsAttention() throws Exception {
    enrolledUntil(Instant.now().minus(Duration.ofDays(2)));

    int code = status();

    assertThat(code).isEqualTo(StatusCommand.EXIT_NEEDS_ATTENTION);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("ended", "enroll --force");
  }

  @Test
  void anAgentThatNeverEnrolledNeedsAttention() throws Exception {
    int code = status();

    assertThat(code).isEqualTo(StatusCommand.EXIT_NEEDS_ATTENTION);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("not enrolled");
  }

  @Test
  void statusWritesNothingIntoTheStateFolder() throws Exception {
    Path state = state();

    status();

    try (var files = Files.list(state)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void statusLeavesARenewalBeingInstalledToTheAgent() throws Exception {
    enrolledUntil(Instant.now().plus(Duration.ofDays(10)));
    Files.writeString(state().resolve(AgentCredentials.NEXT_KEY_FILE), "pending key");
    Files.writeString(state().resolve(AgentCredentials.NEXT_CERTIFICATE_FILE), "pending certificate");

    status();

    assertThat(state().resolve(AgentCredentials.NEXT_KEY_FILE)).hasContent("pending key");
    assertThat(state().resolve(AgentCredentials.NEXT_CERTIFICATE_FILE)).hasContent("pending certificate");
  }

  @Test
  void aMissingStateFolderIsBadInput() {
    int code = AgentMain.commandLine().execute("status", "--state-dir", dir.resolve("nowhere").toString());

    assertThat(code).isEqualTo(2);
  }
}
