package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.CredentialRenewal;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.trust.Fingerprints;
import io.labscan.controller.TestReports;
import io.labscan.controller.trust.TrustRepository.Renewal;
import io.labscan.controller.trust.TrustRepository.RenewalOutcome;
import io.labscan.testsupport.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #16: a copy of an agent's key that renews first locks the real agent out; the controller
 * must notice two keys for one host and raise an alert. The attack is performed for real: the
 * agent's state folder is copied file by file, and both copies talk mutual TLS to a controller
 * on loopback.
 */
class TwoKeysTest {
  @TempDir Path dir;
  private SecureController controller;
  private final List<String> alerts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    controller = new SecureController(dir.resolve("controller"));
    controller.runtime.keyConflicts().orElseThrow().addListener((hostId, detail, at) -> alerts.add(hostId + ": " + detail));
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  /** An enrolled agent in the last month of its certificate (as {@code CertificateRenewalTest} makes one). */
  private AgentCredentials enrolledEndingIn(Path state, Duration left) throws Exception {
    AgentCredentials enrolled = controller.enrol(state, controller.token("", 1)).credentials();
    String hostId = enrolled.hostId().orElseThrow();
    Instant now = Instant.now();
    X509Certificate shortLived = controller.ca().issueClient(enrolled.certificate().getPublicKey(), hostId,
        now.minus(Duration.ofMinutes(5)), now.plus(left));
    assertThat(controller.runtime.store().renew(new Renewal(hostId, CertificateAuthority.serial(enrolled.certificate()),
        Fingerprints.sha256(enrolled.certificate().getPublicKey().getEncoded()), CertificateAuthority.serial(shortLived),
        shortLived.getNotAfter().toInstant()), now.minus(Duration.ofDays(1))).join()).isEqualTo(RenewalOutcome.RENEWED);
    AgentCredentials ending = new AgentCredentials(enrolled.key(), shortLived, enrolled.ca());
    ending.save(state);
    return ending;
  }

  /** What a thief with read access to the state folder does: copy every file. */
  private static Path copyOf(Path state, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(state)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }

  @Test
  void aCopiedKeyThatRenewsFirstLocksOutTheRealAgentAndRaisesATwoKeysAlert() throws Exception {
    Path real = dir.resolve("agent");
    AgentCredentials ending = enrolledEndingIn(real, Duration.ofDays(10));
    String hostId = ending.hostId().orElseThrow();
    Path thief = copyOf(real, dir.resolve("thief"));
    AgentCredentials stolen = AgentCredentials.load(thief).orElseThrow();

    Optional<AgentCredentials> thiefRenewed = new CredentialRenewal(thief, hostId, stolen, Clock.systemUTC())
        .renewIfDue(controller.mutualTls(stolen));
    Optional<AgentCredentials> realRenewed = new CredentialRenewal(real, hostId, ending, Clock.systemUTC())
        .renewIfDue(controller.mutualTls(ending));

    assertThat(thiefRenewed).as("the copy renewed first").isPresent();
    assertThat(realRenewed).as("the real agent is locked out").isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(() -> !alerts.isEmpty());
    assertThat(alerts).singleElement().asString().startsWith(hostId + ": ")
        .contains(CertificateAuthority.serial(ending.certificate())).contains("asked to renew");
  }

  @Test
  void theRealAgentRenewingAloneRaisesNoAlertAndItsOldCertificateStopsQuietly() throws Exception {
    Path real = dir.resolve("agent");
    AgentCredentials ending = enrolledEndingIn(real, Duration.ofDays(10));
    AgentCredentials renewed = new CredentialRenewal(real, ending.hostId().orElseThrow(), ending, Clock.systemUTC())
        .renewIfDue(controller.mutualTls(ending)).orElseThrow();

    // A call of the old certificate that was in flight while the agent switched channels.
    assertThatThrownBy(() -> controller.mutualTls(ending).report(TestReports.fullScan(ending.hostId().orElseThrow(),
            "lab-pc-07", Instant.now(), 9, "10.20.3.7")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    controller.mutualTls(renewed).report(TestReports.fullScan(ending.hostId().orElseThrow(), "lab-pc-07",
        Instant.now(), 10, "10.20.3.7"));

    assertThat(alerts).isEmpty();
  }

  @Test
  void aReplacedCertificateStillCallingAfterTheGraceIsAlertedOncePerQuietPeriod() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T08:00:00Z"));
    KeyConflicts conflicts = new KeyConflicts(clock, hostId -> Optional.empty());
    List<String> seen = new CopyOnWriteArrayList<>();
    conflicts.addListener((hostId, detail, at) -> seen.add(detail));
    String host = TestReports.newHostId();
    conflicts.certificateChanged(host);

    clock.advance(Duration.ofMinutes(2));
    conflicts.replacedCertificateUsed(host, "a1", "a call");
    assertThat(seen).as("calls in flight during the switch").isEmpty();

    clock.advance(KeyConflicts.GRACE);
    conflicts.replacedCertificateUsed(host, "a1", "a call");
    conflicts.replacedCertificateUsed(host, "a1", "a call");
    assertThat(seen).singleElement().asString().contains("certificate a1 was replaced").contains("still in use");

    clock.advance(KeyConflicts.QUIET);
    conflicts.replacedCertificateUsed(host, "a1", "a call");
    assertThat(seen).hasSize(2);
  }

  @Test
  void aReplacedCertificateWhoseReplacementPredatesThisProcessIsJudgedByTheStoredRenewalTime() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-06T08:00:00Z"));
    String host = TestReports.newHostId();
    KeyConflicts conflicts = new KeyConflicts(clock, id -> Optional.of(Instant.parse("2026-12-06T07:58:00Z")));
    List<String> seen = new CopyOnWriteArrayList<>();
    conflicts.addListener((hostId, detail, at) -> seen.add(detail));

    conflicts.replacedCertificateUsed(host, "a1", "a call");
    assertThat(seen).isEmpty();
    clock.advance(KeyConflicts.GRACE);
    conflicts.replacedCertificateUsed(host, "a1", "a call");
    assertThat(seen).hasSize(1);
  }
}
