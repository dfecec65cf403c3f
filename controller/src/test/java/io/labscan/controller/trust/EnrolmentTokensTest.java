package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.TrustRepository.EnrolledHost;
import io.labscan.controller.trust.TrustRepository.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokens as the store keeps and redeems them. */
class EnrolmentTokensTest {
  private static final Instant NOW = Instant.parse("2024-03-01T09:00:00Z");
  private static final String FINGERPRINT = "q0bV3Q6mI0H2p4m2s7pYqv0wX3b1c8n9z5k4j6h7g8f";

  @TempDir Path dir;
  private Storage store;
  private EnrolmentTokens tokens;

  @BeforeEach
  void open() {
    store = Storage.open(dir.resolve("c.db"));
    tokens = new EnrolmentTokens(store, FINGERPRINT);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static EnrolledHost host() {
    return new EnrolledHost(UUID.randomUUID().toString(), "lab-pc-07", "1f", NOW.plus(Duration.ofDays(365)));
  }

  @Test
  void aTokenPinsTheCaAndIsRedeemedWithItsLab() {
    EnrolmentToken token = tokens.issue("physics-lab", Duration.ofHours(24), 1, NOW);

    var redemption = store.redeem(token.tokenId(), token.secretHash(), host(), NOW.plusSeconds(60)).join();

    assertThat(token.caFingerprint()).isEqualTo(FINGERPRINT);
    assertThat(redemption.outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(redemption.lab()).isEqualTo("physics-lab");
  }

  @Test
  void onlyTheHashOfTheSecretIsStored() throws Exception {
    EnrolmentToken token = tokens.issue("", Duration.ofHours(24), 1, NOW);
    store.close();

    byte[] database = Files.readAllBytes(dir.resolve("c.db"));
    String raw = new String(database, StandardCharsets.ISO_8859_1);
    assertThat(raw).contains(token.tokenId()).doesNotContain(token.secret());
    store = Storage.open(dir.resolve("c.db"));
  }

  @Test
  void aWrongSecretForAKnownTokenIdIsAnUnknownToken() {
    EnrolmentToken token = tokens.issue("", Duration.ofHours(24), 1, NOW);
    EnrolmentToken guess = new EnrolmentToken(token.tokenId(), EnrolmentToken.generate(FINGERPRINT).secret(),
        FINGERPRINT);

    assertThat(store.redeem(guess.tokenId(), guess.secretHash(), host(), NOW).join().outcome())
        .isEqualTo(Outcome.UNKNOWN_TOKEN);
  }

  @Test
  void aTokenIsExpiredAtTheEndOfItsLifetime() {
    EnrolmentToken token = tokens.issue("", Duration.ofHours(24), 1, NOW);

    assertThat(store.redeem(token.tokenId(), token.secretHash(), host(), NOW.plus(Duration.ofHours(24))).join()
        .outcome()).isEqualTo(Outcome.EXPIRED);
  }

  @Test
  void eachRedemptionSpendsOneUse() {
    EnrolmentToken token = tokens.issue("", Duration.ofHours(24), 2, NOW);

    Outcome first = store.redeem(token.tokenId(), token.secretHash(), host(), NOW).join().outcome();
    Outcome second = store.redeem(token.tokenId(), token.secretHash(), host(), NOW).join().outcome();
    Outcome third = store.redeem(token.tokenId(), token.secretHash(), host(), NOW).join().outcome();

    assertThat(first).isEqualTo(Outcome.ACCEPTED);
    assertThat(second).isEqualTo(Outcome.ACCEPTED);
    assertThat(third).isEqualTo(Outcome.USED_UP);
  }

  @Test
  void aLifetimeBeyondNinetyDaysIsRefused() {
    assertThatThrownBy(() -> tokens.issue("", Duration.ofDays(91), 1, NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void durationsAreReadInTheShortFormsOperatorsType() {
    assertThat(EnrolmentTokens.parseDuration("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(EnrolmentTokens.parseDuration("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(EnrolmentTokens.parseDuration("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(EnrolmentTokens.parseDuration("PT2H")).isEqualTo(Duration.ofHours(2));
    assertThatThrownBy(() -> EnrolmentTokens.parseDuration("tomorrow")).hasMessageContaining("not a duration");
  }
}
