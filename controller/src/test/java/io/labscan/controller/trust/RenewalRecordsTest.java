package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.TrustRepository.EnrolledHost;
import io.labscan.controller.trust.TrustRepository.Outcome;
import io.labscan.controller.trust.TrustRepository.Renewal;
import io.labscan.controller.trust.TrustRepository.RenewalOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which certificate may renew, as the store decides it in one write. */
class RenewalRecordsTest {
  private static final Instant NOW = Instant.parse("2025-02-20T09:00:00Z");
  private static final Instant YEAR_LATER = NOW.plus(Duration.ofDays(365));

  @TempDir Path dir;
  private Storage store;
  private EnrolmentTokens tokens;
  private final String host = UUID.randomUUID().toString();

  @BeforeEach
  void open() {
    store = Storage.open(dir.resolve("c.db"));
    tokens = new EnrolmentTokens(store, "q0bV3Q6mI0H2p4m2s7pYqv0wX3b1c8n9z5k4j6h7g8f");
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void enrolWithCertificate(String serial, Instant at) {
    EnrolmentToken token = store.hostKnown(host) ? tokens.issueFor(host, "", Duration.ofHours(1), at)
        : tokens.issue("", Duration.ofHours(1), 1, at);
    assertThat(store.redeem(token.tokenId(), token.secretHash(), new EnrolledHost(host, "pc", serial,
        at.plus(Duration.ofDays(365))), at).join().outcome()).isEqualTo(Outcome.ACCEPTED);
  }

  private RenewalOutcome renew(String presented, String newKey, String newSerial) {
    return store.renew(new Renewal(host, presented, newKey, newSerial, YEAR_LATER), NOW).join();
  }

  @Test
  void theCurrentCertificateRenews() {
    enrolWithCertificate("a1", NOW.minus(Duration.ofDays(340)));

    assertThat(renew("a1", "key-2", "b2")).isEqualTo(RenewalOutcome.RENEWED);
    assertThat(renew("b2", "key-3", "c3")).as("the new one is current now").isEqualTo(RenewalOutcome.RENEWED);
  }

  @Test
  void theReplacedCertificateIsAnsweredAgainOnlyForTheSameNewKey() {
    enrolWithCertificate("a1", NOW.minus(Duration.ofDays(340)));
    renew("a1", "key-2", "b2");

    assertThat(renew("a1", "key-2", "b3")).isEqualTo(RenewalOutcome.REISSUED);
    assertThat(renew("a1", "key-x", "b4")).isEqualTo(RenewalOutcome.REPLACED);
    assertThat(renew("b3", "key-4", "c5")).as("the reissued one is current").isEqualTo(RenewalOutcome.RENEWED);
  }

  @Test
  void aCertificateTwoRenewalsOldCannotRenew() {
    enrolWithCertificate("a1", NOW.minus(Duration.ofDays(340)));
    renew("a1", "key-2", "b2");
    renew("b2", "key-3", "c3");

    assertThat(renew("a1", "key-3", "d4")).isEqualTo(RenewalOutcome.REPLACED);
  }

  @Test
  void aHostWithoutEnrolmentCannotRenew() {
    assertThat(renew("a1", "key-2", "b2")).isEqualTo(RenewalOutcome.NOT_ENROLLED);
  }

  @Test
  void aRevokedHostCannotRenew() {
    enrolWithCertificate("a1", NOW.minus(Duration.ofDays(340)));
    store.revoke(host, "stolen laptop", NOW).join();

    assertThat(renew("a1", "key-2", "b2")).isEqualTo(RenewalOutcome.REVOKED);
  }

  @Test
  void aRenewedHostStillCannotBeTakenOverWithAToken() {
    enrolWithCertificate("a1", NOW.minus(Duration.ofDays(340)));
    renew("a1", "key-2", "b2");
    Instant monthLater = NOW.plus(Duration.ofDays(30));
    EnrolmentToken token = tokens.issue("", Duration.ofHours(1), 1, monthLater);

    var second = store.redeem(token.tokenId(), token.secretHash(),
        new EnrolledHost(host, "pc", "z9", YEAR_LATER), monthLater).join();

    assertThat(second.outcome()).as("the renewed certificate is valid for a year").isEqualTo(Outcome.ALREADY_ENROLLED);
  }

  @Test
  void anAdminsTokenReEnrollingTheHostStartsANewCertificateLine() {
    enrolWithCertificate("a1", NOW.minus(Duration.ofDays(800)));
    enrolWithCertificate("e5", NOW);

    assertThat(renew("a1", "key-2", "b2")).as("the old line is gone").isEqualTo(RenewalOutcome.REPLACED);
    assertThat(renew("e5", "key-2", "b2")).isEqualTo(RenewalOutcome.RENEWED);
  }
}
