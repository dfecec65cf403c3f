package io.labscan.controller.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.store.Storage;
import io.labscan.controller.account.Role;
import io.labscan.testsupport.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API tokens on a real SQLite file: shown once, stored hashed, scoped, expiring, revocable. */
class ApiTokensTest {
  @TempDir Path dir;

  /** The storage under test: a SQLite file here; PostgreSQL in {@link ApiTokensOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }

  /** Every byte the database holds, as text (the store closed): here the SQLite file. */
  String everythingStored() throws Exception {
    return new String(Files.readAllBytes(dir.resolve("c.db")), StandardCharsets.ISO_8859_1);
  }
  Storage store;
  MutableClock clock = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
  ApiTokens tokens;

  @BeforeEach
  void open() {
    store = open(dir.resolve("c.db"));
    tokens = new ApiTokens(store, clock);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private Optional<Long> lastUsed(String id) {
    return tokens.find(id).flatMap(ApiToken::lastUsed).map(Instant::toEpochMilli);
  }

  @Test
  void theSecretIsGivenOnceAndOnlyItsHashIsStored() throws Exception {
    ApiTokens.Created created = tokens.create("grafana", Role.VIEWER, Set.of(), Duration.ofDays(90), "it-staff");
    assertThat(created.secret()).matches("LST1\\.[0-9a-f]{12}\\.[A-Za-z0-9_-]{43}");
    String secretPart = created.secret().substring(created.secret().lastIndexOf('.') + 1);
    store.close();
    assertThat(everythingStored()).doesNotContain(secretPart);
    store = open(dir.resolve("c.db"));
    tokens = new ApiTokens(store, clock);
    assertThat(tokens.authenticate(created.secret())).hasValueSatisfying(p -> {
      assertThat(p.role()).isEqualTo(Role.VIEWER);
      assertThat(p.tokenId()).hasValue(created.token().tokenId());
      assertThat(p.seesAllLabs()).isTrue();
    });
  }

  @Test
  void aWrongSecretForARealIdIsRefused() {
    ApiTokens.Created created = tokens.create("grafana", Role.ADMIN, Set.of(), Duration.ofDays(90), "it-staff");
    String forged = created.secret().substring(0, created.secret().lastIndexOf('.') + 1) + "A".repeat(43);
    assertThat(tokens.authenticate(forged)).isEmpty();
    assertThat(tokens.authenticate("Bearer " + created.secret())).isEmpty();
    assertThat(tokens.authenticate("")).isEmpty();
  }

  @Test
  void aLabManagerTokenSeesOnlyItsLabsAndNeedsAtLeastOne() {
    ApiTokens.Created created = tokens.create("physics sheet", Role.LAB_MANAGER, Set.of("physics-lab"),
        Duration.ofDays(30), "it-staff");
    Principal p = tokens.authenticate(created.secret()).orElseThrow();
    assertThat(p.sees("physics-lab")).isTrue();
    assertThat(p.sees("chemistry")).isFalse();
    assertThatThrownBy(() -> tokens.create("no labs", Role.LAB_MANAGER, Set.of(), Duration.ofDays(30), "it-staff"))
        .hasMessageContaining("at least one lab");
    assertThatThrownBy(() -> tokens.create("viewer with labs", Role.VIEWER, Set.of("physics-lab"), Duration.ofDays(30),
        "it-staff")).hasMessageContaining("only a lab-manager");
  }

  @Test
  void anExpiredTokenIsRefused() {
    ApiTokens.Created created = tokens.create("short", Role.VIEWER, Set.of(), Duration.ofHours(12), "it-staff");
    clock.advance(Duration.ofHours(11));
    assertThat(tokens.authenticate(created.secret())).isPresent();
    clock.advance(Duration.ofHours(1));
    assertThat(tokens.authenticate(created.secret())).isEmpty();
    assertThat(tokens.find(created.token().tokenId()).orElseThrow().state(clock.instant())).isEqualTo("expired");
  }

  @Test
  void aRevokedTokenIsRefusedAndItsNameCanBeReused() {
    ApiTokens.Created created = tokens.create("grafana", Role.VIEWER, Set.of(), Duration.ofDays(90), "it-staff");
    assertThatThrownBy(() -> tokens.create("grafana", Role.VIEWER, Set.of(), Duration.ofDays(90), "it-staff"))
        .hasMessageContaining("exists already");
    assertThat(tokens.revoke(created.token().tokenId(), "it-staff")).hasValueSatisfying(t -> {
      assertThat(t.revokedBy()).hasValue("it-staff");
      assertThat(t.state(clock.instant())).isEqualTo("revoked");
    });
    assertThat(tokens.authenticate(created.secret())).isEmpty();
    assertThat(tokens.revoke(created.token().tokenId(), "it-staff")).isEmpty();
    assertThat(tokens.create("grafana", Role.VIEWER, Set.of(), Duration.ofDays(90), "it-staff").token().name())
        .isEqualTo("grafana");
  }

  @Test
  void theLastUseIsWrittenAtMostOnceAMinute() {
    ApiTokens.Created created = tokens.create("scraper", Role.VIEWER, Set.of(), Duration.ofDays(90), "it-staff");
    String id = created.token().tokenId();
    assertThat(lastUsed(id)).isEmpty();
    tokens.authenticate(created.secret());
    store.write(db -> 0).join(); // the background write has committed
    long first = clock.instant().toEpochMilli();
    assertThat(lastUsed(id)).hasValue(first);
    clock.advance(Duration.ofSeconds(59));
    tokens.authenticate(created.secret());
    store.write(db -> 0).join();
    assertThat(lastUsed(id)).hasValue(first);
    clock.advance(Duration.ofSeconds(1));
    tokens.authenticate(created.secret());
    store.write(db -> 0).join();
    assertThat(lastUsed(id)).hasValue(first + 60_000);
  }

  @Test
  void validitiesOutsideAnHourAndTwoYearsAreRefused() {
    assertThat(ApiTokens.parseValidity("90d")).isEqualTo(Duration.ofDays(90));
    assertThat(ApiTokens.parseValidity("2w")).isEqualTo(Duration.ofDays(14));
    assertThatThrownBy(() -> ApiTokens.parseValidity("forever")).hasMessageContaining("90d");
    assertThatThrownBy(() -> tokens.create("long", Role.VIEWER, Set.of(), Duration.ofDays(731), "it-staff"))
        .hasMessageContaining("730 days");
    assertThatThrownBy(() -> tokens.create("<b>x</b>", Role.VIEWER, Set.of(), Duration.ofDays(1), "it-staff"))
        .hasMessageContaining("name");
  }
}
