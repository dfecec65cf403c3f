package io.labscan.controller.cli;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.account.User;
import io.labscan.controller.fleet.LabRules;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.cli.ControllerMain;
import io.labscan.controller.store.Storage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserCommandTest {
  @TempDir Path dir;

  @Test
  void userAddReadsThePasswordFileAndTheUserCanLogIn() throws Exception {
    Path db = dir.resolve("c.db");
    Storage.open(db).close();
    Path secret = dir.resolve("pw.txt");
    Files.writeString(secret, "a long lab manager password\n", StandardCharsets.UTF_8);

    int code = ControllerMain.commandLine().execute("user", "add", "--db", db.toString(), "--role", "viewer",
        "--password-file", secret.toString(), "lab-manager");

    assertThat(code).isZero();
    try (Storage store = Storage.open(db)) {
      assertThat(new Accounts(store, 4, Clock.systemUTC()).authenticate("lab-manager", "a long lab manager password"))
          .hasValue(new User("lab-manager", Role.VIEWER));
    }
  }

  @Test
  void userAddSsoCreatesAUserWithoutAPasswordThatNoPasswordOpens() {
    Path db = dir.resolve("c.db");
    Storage.open(db).close();

    int code = ControllerMain.commandLine().execute("user", "add", "--db", db.toString(), "--role", "viewer", "--sso",
        "linus");

    assertThat(code).isZero();
    try (Storage store = Storage.open(db)) {
      Accounts accounts = new Accounts(store, 4, Clock.systemUTC());
      assertThat(accounts.find("linus")).hasValue(new User("linus", Role.VIEWER));
      assertThat(accounts.hasLocalPassword("linus")).isFalse();
      assertThat(accounts.authenticate("linus", "!external")).isEmpty();
    }
    assertThat(ControllerMain.commandLine().execute("user", "add", "--db", db.toString(), "--role", "viewer", "--sso",
        "--password-file", db.toString(), "linus2")).isEqualTo(2);
  }

  @Test
  void userAddSsoWithAnEmailPreparesTheAccountForTheLoginThatVerifiedIt() throws Exception {
    Path db = dir.resolve("c.db");
    Storage.open(db).close();

    int code = ControllerMain.commandLine().execute("user", "add", "--db", db.toString(), "--role", "viewer", "--sso",
        "--email", "linus@campus.example", "linus");

    assertThat(code).isZero();
    try (Storage store = Storage.open(db)) {
      Accounts accounts = new Accounts(store, 4, Clock.systemUTC());
      var sso = new io.labscan.controller.oidc.SsoAccounts(store, accounts, Clock.systemUTC());
      var admitted = sso.admit("https://idp.campus.example", new io.labscan.controller.oidc.OidcIdentity("s-7",
          "ltorvalds", "Linus", java.util.List.of(), "h.p.s", java.util.Optional.of("linus@campus.example"), true),
          io.labscan.controller.oidc.RoleMapping.parse(""));
      assertThat(admitted.user().username()).isEqualTo("linus");
    }
    assertThat(ControllerMain.commandLine().execute("user", "add", "--db", db.toString(), "--role", "viewer", "--sso",
        "--email", "not-an-address", "linus2")).isEqualTo(2);
    assertThat(ControllerMain.commandLine().execute("user", "add", "--db", db.toString(), "--role", "viewer",
        "--email", "x@campus.example", "--password-file", db.toString(), "linus3")).isEqualTo(2);
  }

  @Test
  void userAddRefusesAnUnknownRole() {
    Path db = dir.resolve("c.db");
    Storage.open(db).close();
    assertThat(ControllerMain.commandLine().execute("user", "add", "--db", db.toString(), "--role", "root",
        "--password-file", db.toString(), "x")).isEqualTo(2);
  }

  @Test
  void userRemoveEndsTheSessionsOfARunningController() {
    Path db = dir.resolve("c.db");
    Sessions.Session open;
    try (Storage serving = Storage.open(db)) {
      new Accounts(serving, 4, Clock.systemUTC()).add("lab-manager", Role.VIEWER, "a long lab manager password", false);
      Sessions sessions = new Sessions(serving, Clock.systemUTC());
      open = sessions.create(new User("lab-manager", Role.VIEWER));

      int code = ControllerMain.commandLine().execute("user", "remove", "--db", db.toString(), "lab-manager");

      assertThat(code).isZero();
      assertThat(sessions.find(open.id())).isEmpty();
    }
  }

  @Test
  void userRemoveOfAnUnknownUserIsBadInput() {
    Path db = dir.resolve("c.db");
    Storage.open(db).close();

    assertThat(ControllerMain.commandLine().execute("user", "remove", "--db", db.toString(), "nobody")).isEqualTo(2);
  }

  @Test
  void labRuleAddAndListRoundTrip() {
    Path db = dir.resolve("c.db");
    Storage.open(db).close();
    assertThat(ControllerMain.commandLine().execute("lab-rule", "add", "--db", db.toString(), "--lab", "chemistry",
        "--cidr", "10.30.0.0/16")).isZero();
    assertThat(ControllerMain.commandLine().execute("lab-rule", "add", "--db", db.toString(), "--lab", "chemistry",
        "--cidr", "10.30.0.0/99")).isEqualTo(2);
    try (Storage store = Storage.open(db)) {
      assertThat(new LabRules(store, Clock.systemUTC()).list()).singleElement()
          .satisfies(r -> assertThat(r.pattern()).isEqualTo("10.30.0.0/16"));
    }
  }
}
