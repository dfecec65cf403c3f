package io.labscan.controller.account;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.AuditEntry;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.audit.AuditQuery;
import io.labscan.controller.store.Storage;
import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.testsupport.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code user} and {@code token} commands on a real database, and what they leave in the audit log. */
class AccessCommandsTest {
  @TempDir Path dir;
  Path db;

  @BeforeEach
  void anEmptyControllerDatabase() {
    db = dir.resolve("c.db");
    Storage.open(db).close();
  }

  private List<AuditEntry> audit() {
    try (Storage store = Storage.open(db)) {
      return new AuditLog(store, Clock.systemUTC()).find(AuditQuery.all(100));
    }
  }

  @Test
  void userAddGivesALabManagerItsLabsAndTheAuditNamesTheOperatingSystemUser() throws Exception {
    Path pw = dir.resolve("pw");
    Files.writeString(pw, "a long lab manager password\n");
    assertThat(run("user", "add", "--db", db.toString(), "--role", "lab-manager", "--lab", "physics-lab",
        "--lab", "chemistry", "--password-file", pw.toString(), "janet").code()).isZero();
    try (Storage store = Storage.open(db)) {
      assertThat(new Accounts(store, 4, Clock.systemUTC()).find("janet")).hasValueSatisfying(u -> {
        assertThat(u.role()).isEqualTo(Role.LAB_MANAGER);
        assertThat(u.labs()).containsExactlyInAnyOrder("physics-lab", "chemistry");
      });
    }
    assertThat(audit()).singleElement().satisfies(e -> {
      assertThat(e.action()).isEqualTo(Actions.USER_ADD);
      assertThat(e.target()).isEqualTo("janet");
      assertThat(e.actor().kind().id()).isEqualTo("cli");
      assertThat(e.actor().name()).isEqualTo(System.getProperty("user.name"));
      assertThat(e.source().channel()).isEqualTo("cli");
      assertThat(e.detail()).contains("lab-manager", "physics-lab");
    });
  }

  @Test
  void aLabManagerWithoutALabAndAViewerWithOneAreRefused() throws Exception {
    Path pw = dir.resolve("pw");
    Files.writeString(pw, "a long lab manager password\n");
    CliRun noLab = run("user", "add", "--db", db.toString(), "--role", "lab-manager", "--password-file", pw.toString(),
        "janet");
    assertThat(noLab.code()).isEqualTo(2);
    assertThat(noLab.err()).contains("at least one lab");
    assertThat(run("user", "add", "--db", db.toString(), "--role", "viewer", "--lab", "physics-lab",
        "--password-file", pw.toString(), "janet").code()).isEqualTo(2);
    assertThat(audit()).isEmpty();
  }

  @Test
  void setRoleKeepsThePasswordAndChangesTheLabs() {
    try (Storage store = Storage.open(db)) {
      new Accounts(store, 4, Clock.systemUTC()).add("janet", Role.VIEWER, "a long lab manager password", false);
    }
    assertThat(run("user", "set-role", "--db", db.toString(), "--role", "lab-manager", "--lab", "physics-lab",
        "janet").code()).isZero();
    try (Storage store = Storage.open(db)) {
      Accounts accounts = new Accounts(store, 4, Clock.systemUTC());
      assertThat(accounts.authenticate("janet", "a long lab manager password")).hasValueSatisfying(u ->
          assertThat(u.labs()).containsExactly("physics-lab"));
    }
    CliRun list = run("user", "list", "--db", db.toString());
    assertThat(list.code()).isZero();
    assertThat(list.out()).contains("janet\tlab-manager\tphysics-lab");
    assertThat(audit()).extracting(AuditEntry::action).containsExactly(Actions.USER_ROLE);
  }

  @Test
  void theLastAdminCannotBeDemoted() {
    try (Storage store = Storage.open(db)) {
      new Accounts(store, 4, Clock.systemUTC()).add("root", Role.ADMIN, "a long admin password!", false);
    }
    CliRun run = run("user", "set-role", "--db", db.toString(), "--role", "viewer", "root");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("last admin");
  }

  @Test
  void tokenCreatePrintsTheTokenOnceListShowsItWithoutTheSecretAndRevokeEndsIt() {
    CliRun created = run("token", "create", "--db", db.toString(), "--name", "physics-sheet", "--lab", "physics-lab",
        "--expires", "30d");
    assertThat(created.code()).isZero();
    String token = created.out().strip();
    assertThat(token).matches("LST1\\.[0-9a-f]{12}\\.[A-Za-z0-9_-]{43}");
    String id = token.split("\\.")[1];
    try (Storage store = Storage.open(db)) {
      assertThat(new ApiTokens(store, Clock.systemUTC()).authenticate(token)).hasValueSatisfying(p -> {
        assertThat(p.role()).isEqualTo(Role.LAB_MANAGER);
        assertThat(p.labs()).isEqualTo(Set.of("physics-lab"));
      });
    }
    CliRun listed = run("token", "list", "--db", db.toString());
    assertThat(listed.code()).isZero();
    String list = listed.out();
    assertThat(list).contains(id, "physics-sheet", "lab-manager", "physics-lab", "active")
        .doesNotContain(token.substring(token.lastIndexOf('.') + 1));

    assertThat(run("token", "revoke", "--db", db.toString(), id).code()).isZero();
    try (Storage store = Storage.open(db)) {
      assertThat(new ApiTokens(store, Clock.systemUTC()).authenticate(token)).isEmpty();
    }
    assertThat(run("token", "revoke", "--db", db.toString(), id).code()).isEqualTo(2);
    List<AuditEntry> entries = audit();
    assertThat(entries).extracting(AuditEntry::action).containsExactly(Actions.TOKEN_REVOKE, Actions.TOKEN_CREATE);
    assertThat(entries).allSatisfy(e -> assertThat(e.target()).isEqualTo(id));
  }

  @Test
  void enrolmentTokensLabRulesAndPolicyChangesFromTheCommandLineAreAuditedWithoutSecrets() {
    CliRun enrolled = run("enroll-token", "--db", db.toString(), "--lab", "physics-lab", "--uses", "40");
    assertThat(enrolled.code()).isZero();
    String enrolment = enrolled.out().strip();
    assertThat(run("lab-rule", "add", "--db", db.toString(), "--lab", "chemistry", "--cidr", "10.30.0.0/16").code())
        .isZero();
    assertThat(run("policy", "--db", db.toString(), "--event-mode", "on").code()).isZero();

    List<AuditEntry> entries = audit();
    assertThat(entries).extracting(AuditEntry::action)
        .containsExactly(Actions.POLICY_CHANGE, Actions.LAB_RULE_ADD, Actions.ENROLL_TOKEN);
    AuditEntry minted = entries.get(2);
    assertThat(minted.target()).isEqualTo(enrolment.split("\\.")[1]);
    assertThat(minted.detail()).contains("physics-lab", "40 use(s)").doesNotContain(enrolment.split("\\.")[2]);
    assertThat(entries.get(1).detail()).isEqualTo("cidr 10.30.0.0/16 -> chemistry");
    assertThat(entries).allSatisfy(e -> assertThat(e.actor().kind().id()).isEqualTo("cli"));
  }
}
