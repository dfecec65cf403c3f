package io.labscan.controller.web;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.account.User;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.MutableClock;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Accounts, sessions and the login throttle. */
class AccessTest {
  @TempDir Path dir;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T08:00:00Z"));

  @Test
  void theFirstAdminIsCreatedOnceWithAGeneratedPasswordThatWorks() {
    try (Storage store = Storage.open(dir.resolve("u.db"))) {
      Accounts accounts = new Accounts(store, 4, clock);
      String password = accounts.createFirstAdminIfNone().orElseThrow();
      assertThat(password).hasSize(20);
      assertThat(accounts.createFirstAdminIfNone()).isEmpty();
      assertThat(accounts.authenticate(Accounts.FIRST_ADMIN, password)).hasValue(new User("admin", Role.ADMIN));
    }
  }

  @Test
  void passwordsAreStoredAsBcryptHashesOnly() {
    try (Storage store = Storage.open(dir.resolve("u.db"))) {
      new Accounts(store, 4, clock).add("lab-manager", Role.VIEWER, "correct horse battery", false);
      String hash = store.read(db -> {
        try (PreparedStatement ps = db.prepareStatement("SELECT password_hash FROM users WHERE username = 'lab-manager'");
            ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertThat(hash).startsWith("$2a$04$").doesNotContain("correct horse");
    }
  }

  @Test
  void shortPasswordsAndOddNamesAreRefused() {
    try (Storage store = Storage.open(dir.resolve("u.db"))) {
      Accounts accounts = new Accounts(store, 4, clock);
      assertThatThrownBy(() -> accounts.add("viewer", Role.VIEWER, "short", false)).hasMessageContaining("12");
      assertThatThrownBy(() -> accounts.add("<b>x</b>", Role.VIEWER, "long enough password", false))
          .hasMessageContaining("user name");
      assertThatThrownBy(() -> accounts.add("viewer", Role.VIEWER, "x".repeat(73), false)).hasMessageContaining("72");
    }
  }

  @Test
  void anExistingUserIsReplacedOnlyWhenAsked() {
    try (Storage store = Storage.open(dir.resolve("u.db"))) {
      Accounts accounts = new Accounts(store, 4, clock);
      accounts.add("it-staff", Role.VIEWER, "first long password", false);
      assertThatThrownBy(() -> accounts.add("it-staff", Role.ADMIN, "second long password", false))
          .hasMessageContaining("exists");
      accounts.add("it-staff", Role.ADMIN, "second long password", true);
      assertThat(accounts.authenticate("it-staff", "first long password")).isEmpty();
      assertThat(accounts.authenticate("it-staff", "second long password")).hasValue(new User("it-staff", Role.ADMIN));
    }
  }

  /** A store with the user {@code u} (viewer), for session tests. */
  private Storage storeWithViewer() {
    Storage store = Storage.open(dir.resolve("s.db"));
    new Accounts(store, 4, clock).add("u", Role.VIEWER, "long enough password", false);
    return store;
  }

  @Test
  void aSessionEndsAfterThirtyIdleMinutes() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session s = sessions.create(new User("u", Role.VIEWER));
      clock.advance(Duration.ofMinutes(29));
      assertThat(sessions.find(s.id())).isPresent();
      clock.advance(Duration.ofMinutes(29));
      assertThat(sessions.find(s.id())).isPresent();
      clock.advance(Duration.ofMinutes(31));
      assertThat(sessions.find(s.id())).isEmpty();
    }
  }

  @Test
  void aSessionEndsTwelveHoursAfterLoginHoweverActive() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session s = sessions.create(new User("u", Role.VIEWER));
      for (int i = 0; i < 48; i++) {
        clock.advance(Duration.ofMinutes(15));
        assertThat(sessions.find(s.id())).isPresent();
      }
      clock.advance(Duration.ofMinutes(1));
      assertThat(sessions.find(s.id())).isEmpty();
    }
  }

  @Test
  void sessionIdsAndCsrfTokensAreDistinctAndUnguessable() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session a = sessions.create(new User("u", Role.VIEWER));
      Sessions.Session b = sessions.create(new User("u", Role.VIEWER));
      assertThat(a.id()).hasSize(43).isNotEqualTo(b.id()).isNotEqualTo(a.csrfToken());
      assertThat(a.csrfMatches(a.csrfToken())).isTrue();
      assertThat(a.csrfMatches(b.csrfToken())).isFalse();
      assertThat(a.csrfMatches(null)).isFalse();
    }
  }

  @Test
  void aSessionOutlivesAControllerRestart() {
    String id;
    try (Storage store = storeWithViewer()) {
      id = new Sessions(store, clock).create(new User("u", Role.VIEWER)).id();
    }
    try (Storage reopened = Storage.open(dir.resolve("s.db"))) {
      Sessions restarted = new Sessions(reopened, clock);

      assertThat(restarted.find(id)).hasValueSatisfying(s -> {
        assertThat(s.user()).isEqualTo(new User("u", Role.VIEWER));
        assertThat(s.csrfToken()).hasSize(43);
      });
    }
  }

  @Test
  void theStoreHoldsOnlyTheHashOfASessionId() {
    try (Storage store = storeWithViewer()) {
      String id = new Sessions(store, clock).create(new User("u", Role.VIEWER)).id();
      String stored = store.read(db -> {
        try (PreparedStatement ps = db.prepareStatement("SELECT id_sha256 FROM web_sessions");
            ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertThat(stored).hasSize(64).doesNotContain(id);
    }
  }

  @Test
  void aRoleChangedFromTheCommandLineAppliesToTheNextRequest() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session s = sessions.create(new User("u", Role.VIEWER));

      new Accounts(store, 4, clock).add("u", Role.ADMIN, "another long password", true);

      assertThat(sessions.find(s.id())).as("a reset password ends the sessions of the old one").isEmpty();
    }
  }

  @Test
  void removingAUserEndsTheirSessionsAtOnce() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session s = sessions.create(new User("u", Role.VIEWER));

      assertThat(new Accounts(store, 4, clock).remove("u")).isTrue();

      assertThat(sessions.find(s.id())).isEmpty();
      assertThat(new Accounts(store, 4, clock).authenticate("u", "long enough password")).isEmpty();
    }
  }

  @Test
  void aSessionOfAUserDeletedBehindItsBackFindsNoUser() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session s = sessions.create(new User("u", Role.VIEWER));
      store.write(db -> {
        try (PreparedStatement ps = db.prepareStatement("DELETE FROM users WHERE username = 'u'")) {
          return ps.executeUpdate();
        }
      }).join();

      assertThat(sessions.find(s.id())).isEmpty();
    }
  }

  @Test
  void theLastAdminCannotBeRemoved() {
    try (Storage store = storeWithViewer()) {
      Accounts accounts = new Accounts(store, 4, clock);
      accounts.add("boss", Role.ADMIN, "long enough password", false);

      assertThatThrownBy(() -> accounts.remove("boss")).hasMessageContaining("last admin");
      accounts.add("deputy", Role.ADMIN, "long enough password", false);
      assertThat(accounts.remove("boss")).isTrue();
    }
  }

  @Test
  void oneUserLoggingInOverAndOverKeepsOnlyTheirNewestSessions() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session first = sessions.create(new User("u", Role.VIEWER));
      Sessions.Session last = first;
      for (int i = 0; i < Sessions.MAX_SESSIONS_PER_USER; i++) {
        clock.advance(Duration.ofSeconds(1));
        last = sessions.create(new User("u", Role.VIEWER));
      }

      assertThat(sessions.find(first.id())).as("the oldest ended").isEmpty();
      assertThat(sessions.find(last.id())).isPresent();
    }
  }

  @Test
  void aLoggedOutSessionIsGone() {
    try (Storage store = storeWithViewer()) {
      Sessions sessions = new Sessions(store, clock);
      Sessions.Session s = sessions.create(new User("u", Role.VIEWER));

      sessions.end(s.id());

      assertThat(sessions.find(s.id())).isEmpty();
    }
  }

  @Test
  void theThrottleLocksOnlyTheGuessingAddressOutOfTheUserForAWindowThatDoublesWithEachFailure() {
    LoginThrottle throttle = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
      assertThat(throttle.acquire("10.0.0.5", "admin")).isZero();
      throttle.failed("10.0.0.5", "admin");
      clock.advance(Duration.ofSeconds(10));
    }
    assertThat(throttle.retryAfter("10.0.0.5", "admin")).isEqualTo(LoginThrottle.FIRST_LOCKOUT.minusSeconds(10));
    assertThat(throttle.retryAfter("10.0.0.9", "admin")).as("another address, same user").isZero();
    assertThat(throttle.retryAfter("10.0.0.5", "viewer")).as("same address, another user").isZero();
    clock.advance(LoginThrottle.FIRST_LOCKOUT);
    assertThat(throttle.acquire("10.0.0.5", "admin")).isZero();
    throttle.failed("10.0.0.5", "admin");
    assertThat(throttle.retryAfter("10.0.0.5", "admin")).isEqualTo(LoginThrottle.FIRST_LOCKOUT.multipliedBy(2));
  }

  @Test
  void aSecondPasswordCheckForTheSameUserAndAddressIsRefusedWhileTheFirstIsInFlight() {
    LoginThrottle throttle = new LoginThrottle(clock);
    assertThat(throttle.acquire("10.0.0.5", "admin")).isZero();

    assertThat(throttle.acquire("10.0.0.5", "admin")).isPositive();
    assertThat(throttle.acquire("10.0.0.9", "admin")).as("another address").isZero();
    throttle.succeeded("10.0.0.5", "admin");
    assertThat(throttle.acquire("10.0.0.5", "admin")).isZero();
  }

  @Test
  void oneAddressSprayingManyUserNamesIsLockedOutOfAllOfThem() {
    LoginThrottle throttle = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.MAX_ADDRESS_FAILURES; i++) {
      assertThat(throttle.acquire("10.0.0.5", "user" + i)).isZero();
      throttle.failed("10.0.0.5", "user" + i);
    }
    assertThat(throttle.acquire("10.0.0.5", "someone-new")).isPositive();
    assertThat(throttle.acquire("10.0.0.9", "someone-new")).isZero();
  }

  @Test
  void aLockedOutAddressTryingNewUserNamesAddsNoEntries() {
    LoginThrottle throttle = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.MAX_ADDRESS_FAILURES; i++) {
      assertThat(throttle.acquire("10.0.0.5", "user" + i)).isZero();
      throttle.failed("10.0.0.5", "user" + i);
    }
    int before = throttle.size();
    for (int i = 0; i < 1000; i++) {
      assertThat(throttle.acquire("10.0.0.5", "other" + i)).isPositive();
    }
    assertThat(throttle.size()).isEqualTo(before);
  }

  @Test
  void userNamesThatNoAccountCanHaveShareOneEntry() {
    LoginThrottle throttle = new LoginThrottle(clock);
    for (int i = 0; i < 3; i++) {
      String junk = "x".repeat(4000) + i;
      assertThat(throttle.acquire("10.0.0.5", junk)).isZero();
      throttle.failed("10.0.0.5", junk);
    }
    assertThat(throttle.size()).as("the address and one pair for every invalid name").isEqualTo(2);
    assertThat(throttle.acquire("10.0.0.5", "admin")).as("a valid name is its own pair").isZero();
  }

  @Test
  void ipv6ClientsAreCountedByTheirSlash64() {
    LoginThrottle throttle = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.MAX_ADDRESS_FAILURES; i++) {
      String ip = "2001:db8:1:2::" + Integer.toHexString(i + 1);
      assertThat(throttle.acquire(ip, "user" + i)).isZero();
      throttle.failed(ip, "user" + i);
    }
    assertThat(throttle.acquire("2001:db8:1:2:ffff::9", "someone-new")).as("same /64").isPositive();
    assertThat(throttle.acquire("2001:db8:1:3::1", "someone-new")).as("another /64").isZero();
    assertThat(LoginThrottle.addressOf("10.0.0.5")).isEqualTo("10.0.0.5");
  }

  @Test
  void anAdminCoversViewerRoutesButNotTheOtherWayRound() {
    assertThat(Role.ADMIN.covers(Role.VIEWER)).isTrue();
    assertThat(Role.VIEWER.covers(Role.ADMIN)).isFalse();
    assertThat(Role.parse(" Admin ")).hasValue(Role.ADMIN);
    assertThat(Role.parse("root")).isEmpty();
  }
}
