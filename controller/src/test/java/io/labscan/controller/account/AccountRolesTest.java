package io.labscan.controller.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Roles with labs in the account model, including users a single sign-on login provisions. */
class AccountRolesTest {
  @TempDir Path dir;
  Storage store;
  Accounts accounts;

  @BeforeEach
  void open() {
    store = Storage.open(dir.resolve("c.db"));
    accounts = new Accounts(store, 4, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aLabManagerIsStoredWithItsLabsAndLosesThemWhenRemoved() {
    accounts.add("janet", Role.LAB_MANAGER, Set.of("physics-lab", " chemistry "), "a long enough password", false);
    assertThat(accounts.find("janet")).hasValue(new User("janet", Role.LAB_MANAGER, Set.of("physics-lab", "chemistry")));
    assertThat(accounts.labs("janet")).containsExactly("chemistry", "physics-lab");
    accounts.remove("janet");
    accounts.add("janet", Role.VIEWER, "a long enough password", false);
    assertThat(accounts.labs("janet")).isEmpty();
  }

  @Test
  void aLabNameWithControlCharactersIsRefused() {
    assertThatThrownBy(() -> accounts.add("janet", Role.LAB_MANAGER, Set.of("physics\nlab"), "a long enough password",
        false)).hasMessageContaining("control characters");
  }

  @Test
  void aSingleSignOnUserHasNoPasswordThatMatchesAndGetsTheMappedRoleAndLabs() {
    User u = accounts.provisionExternal("janet@example.edu", Role.LAB_MANAGER, Set.of("physics-lab"));
    assertThat(u.labs()).containsExactly("physics-lab");
    assertThat(accounts.authenticate("janet@example.edu", "")).isEmpty();
    assertThat(accounts.authenticate("janet@example.edu", Accounts.NO_LOCAL_PASSWORD)).isEmpty();
    // A later login with other claims updates role and labs.
    accounts.provisionExternal("janet@example.edu", Role.VIEWER, Set.of());
    assertThat(accounts.find("janet@example.edu")).hasValue(new User("janet@example.edu", Role.VIEWER));
  }

  @Test
  void provisioningAnExistingLocalUserKeepsItsPassword() {
    accounts.add("linda", Role.VIEWER, "a long enough password", false);
    accounts.provisionExternal("linda", Role.LAB_MANAGER, Set.of("chemistry"));
    assertThat(accounts.authenticate("linda", "a long enough password"))
        .hasValue(new User("linda", Role.LAB_MANAGER, Set.of("chemistry")));
  }
}
