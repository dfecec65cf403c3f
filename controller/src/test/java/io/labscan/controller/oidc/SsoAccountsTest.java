package io.labscan.controller.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How identities from the provider become LabScan users (real SQLite file). */
class SsoAccountsTest {
  static final String ISSUER = "https://idp.campus.example/realms/campus";
  static final RoleMapping MAPPING = RoleMapping.parseEntries(List.of("labscan-admins=admin", "it-staff=viewer",
      "physics-managers=lab-manager:physics-lab,optics-lab"));

  @TempDir Path dir;
  Storage store;
  Accounts accounts;
  SsoAccounts sso;

  /** The store under test: a SQLite file here, PostgreSQL in {@link SsoAccountsOnPostgresTest}. */
  Storage open(Path file) {
    return Storage.open(file);
  }

  @BeforeEach
  void open() {
    store = open(dir.resolve("c.db"));
    accounts = new Accounts(store, 4, Clock.systemUTC());
    sso = new SsoAccounts(store, accounts, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static OidcIdentity identity(String sub, String username, String... groups) {
    return new OidcIdentity(sub, username, username, List.of(groups), "header.payload.signature");
  }

  private static final io.labscan.controller.account.Principal GRACE = io.labscan.controller.account.Principal.user(
      "grace", Role.LAB_MANAGER, Set.of("physics-lab", "optics-lab"));

  private io.labscan.controller.report.Subscription subscribe(io.labscan.controller.report.ReportSubscriptions subs,
      String email) {
    return subs.subscribe(GRACE, Optional.of("physics-lab"), io.labscan.controller.report.Cadence.WEEKLY, email);
  }

  @Test
  void theVerifiedEmailOfALoginConfirmsAReportSubscriptionToThatAddressAtOnce() throws Exception {
    sso.admit(ISSUER, withEmail("s-1", "grace", "Grace.Hopper@campus.example", true, "physics-managers"), MAPPING);
    io.labscan.controller.report.VerifiedEmails verified = SsoAccounts.verifiedEmails(store);
    var subs = new io.labscan.controller.report.ReportSubscriptions(store, Clock.systemUTC(), verified);

    var own = subscribe(subs, "grace.hopper@campus.example");
    var office = subscribe(subs, "physics-office@campus.example");

    assertThat(verified.of("grace")).contains("grace.hopper@campus.example");
    assertThat(subs.confirmations().confirmed(own)).as("her own verified address").isTrue();
    assertThat(subs.confirmations().confirmed(office)).as("another address: the link as before").isFalse();
  }

  @Test
  void anUnverifiedEmailConfirmsNothing() throws Exception {
    sso.admit(ISSUER, withEmail("s-1", "grace", "grace.hopper@campus.example", false, "physics-managers"), MAPPING);
    var subs = new io.labscan.controller.report.ReportSubscriptions(store, Clock.systemUTC(),
        SsoAccounts.verifiedEmails(store));

    var own = subscribe(subs, "grace.hopper@campus.example");

    assertThat(SsoAccounts.verifiedEmails(store).of("grace")).isEmpty();
    assertThat(subs.confirmations().confirmed(own)).isFalse();
  }

  @Test
  void aLaterLoginWithoutAVerifiedEmailForgetsTheAddress() throws Exception {
    sso.admit(ISSUER, withEmail("s-1", "grace", "grace.hopper@campus.example", true, "physics-managers"), MAPPING);
    sso.admit(ISSUER, identity("s-1", "grace", "physics-managers"), MAPPING);

    assertThat(SsoAccounts.verifiedEmails(store).of("grace")).isEmpty();
  }

  @Test
  void anAddressAnAdminTypedIsNotAVerifiedOneAndLocalAccountsHaveNone() throws Exception {
    sso.prepare("ada", Role.LAB_MANAGER, Set.of("physics-lab"), Optional.empty(), Optional.of("ada@campus.example"));
    accounts.add("admin", Role.ADMIN, "break-glass password", false);

    assertThat(SsoAccounts.verifiedEmails(store).of("ada")).isEmpty();
    assertThat(SsoAccounts.verifiedEmails(store).of("admin")).isEmpty();
  }

  @Test
  void aFirstLoginCreatesTheUserWithTheMappedRoleAndLabs() throws Exception {
    SsoAccounts.Admission a = sso.admit(ISSUER, identity("s-1", "grace", "physics-managers"), MAPPING);
    assertThat(a.created()).isTrue();
    assertThat(a.user().role()).isEqualTo(Role.LAB_MANAGER);
    assertThat(a.user().labs()).containsExactlyInAnyOrder("physics-lab", "optics-lab");
    assertThat(accounts.hasLocalPassword("grace")).isFalse();
    assertThat(accounts.authenticate("grace", "!external")).isEmpty();
    assertThat(sso.identityOf("grace")).hasValue(new SsoAccounts.Link(ISSUER, "s-1"));
  }

  @Test
  void aLocalAccountOfTheSameNameIsNeverTakenOver() {
    accounts.add("admin", Role.ADMIN, "break-glass password", false);
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-2", "admin", "labscan-admins"), MAPPING))
        .isInstanceOf(SsoAccounts.RefusedException.class).hasMessageContaining("local LabScan account named 'admin'");
    assertThat(sso.identityOf("admin")).isEmpty();
    assertThat(accounts.authenticate("admin", "break-glass password")).isPresent();
  }

  @Test
  void anotherIdentityWithATakenNameIsRefused() throws Exception {
    sso.admit(ISSUER, identity("s-1", "grace", "it-staff"), MAPPING);
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-other", "grace", "labscan-admins"), MAPPING))
        .hasMessageContaining("belongs to another single sign-on identity");
    assertThatThrownBy(() -> sso.admit("https://other-idp.example", identity("s-1", "grace", "labscan-admins"), MAPPING))
        .hasMessageContaining("belongs to another single sign-on identity");
    assertThat(accounts.find("grace").orElseThrow().role()).isEqualTo(Role.VIEWER);
  }

  @Test
  void theUserIsFoundBySubjectWhenRenamedAtTheProvider() throws Exception {
    sso.admit(ISSUER, identity("s-1", "grace", "it-staff"), MAPPING);
    SsoAccounts.Admission again = sso.admit(ISSUER, identity("s-1", "grace.hopper", "it-staff"), MAPPING);
    assertThat(again.user().username()).isEqualTo("grace");
    assertThat(again.created()).isFalse();
  }

  @Test
  void theMappedRoleFollowsTheGroupsAtEveryLogin() throws Exception {
    sso.admit(ISSUER, identity("s-1", "grace", "it-staff"), MAPPING);
    SsoAccounts.Admission promoted = sso.admit(ISSUER, identity("s-1", "grace", "it-staff", "labscan-admins"), MAPPING);
    assertThat(promoted.user().role()).isEqualTo(Role.ADMIN);
    assertThat(promoted.roleSource()).contains("role admin from the identity provider's groups");
  }

  @Test
  void withoutAMappedGroupTheRoleAnAdminAssignedIsKept() throws Exception {
    sso.admit(ISSUER, identity("s-1", "grace", "it-staff"), MAPPING);
    accounts.setRole("grace", Role.LAB_MANAGER, Set.of("chemistry"));
    SsoAccounts.Admission later = sso.admit(ISSUER, identity("s-1", "grace", "students"), MAPPING);
    assertThat(later.user().role()).isEqualTo(Role.LAB_MANAGER);
    assertThat(later.user().labs()).containsExactly("chemistry");
    assertThat(later.roleSource()).contains("kept");
  }

  private static OidcIdentity withEmail(String sub, String username, String email, boolean verified, String... groups) {
    return new OidcIdentity(sub, username, username, List.of(groups), "header.payload.signature", Optional.of(email),
        verified);
  }

  @Test
  void anAccountPreparedForAVerifiedEmailIsClaimedByTheLoginCarryingIt() throws Exception {
    sso.prepare("linus", Role.VIEWER, Set.of(), Optional.empty(), Optional.of("Linus.Torvalds@campus.example"));
    SsoAccounts.Admission a = sso.admit(ISSUER, withEmail("s-7", "ltorvalds", "linus.torvalds@campus.example", true,
        "library"), MAPPING);
    assertThat(a.created()).isFalse();
    assertThat(a.user()).isEqualTo(new io.labscan.controller.account.User("linus", Role.VIEWER));
    assertThat(sso.identityOf("linus")).hasValue(new SsoAccounts.Link(ISSUER, "s-7"));
  }

  @Test
  void anEmailTheProviderDidNotVerifyClaimsNoPreparedAccount() {
    sso.prepare("linus", Role.VIEWER, Set.of(), Optional.empty(), Optional.of("linus.torvalds@campus.example"));
    assertThatThrownBy(() -> sso.admit(ISSUER, withEmail("s-666", "mallory", "linus.torvalds@campus.example", false,
        "library"), MAPPING)).hasMessageContaining("map to no LabScan role");
    assertThat(sso.identityOf("linus")).isEmpty();
  }

  @Test
  void anAccountPreparedForASubjectIsClaimedByThatSubjectOnly() throws Exception {
    sso.prepare("linus", Role.VIEWER, Set.of(), Optional.of("4b9e2c71-0d6a-4f3e-8c55-1a2b3c4d5e6f"), Optional.empty());
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-666", "linus", "library"), MAPPING))
        .isInstanceOf(SsoAccounts.RefusedException.class).hasMessageContaining("prepared by an admin");
    SsoAccounts.Admission a = sso.admit(ISSUER, identity("4b9e2c71-0d6a-4f3e-8c55-1a2b3c4d5e6f", "linus.t", "library"),
        MAPPING);
    assertThat(a.user().username()).isEqualTo("linus");
  }

  @Test
  void thePreferredUserNameAloneNeverClaimsAPreparedAccount() {
    // user add --sso linus (by name only), and someone who chose the user name "linus" at the provider.
    accounts.createExternal("linus", Role.ADMIN, Set.of());
    assertThatThrownBy(() -> sso.admit(ISSUER, withEmail("s-666", "linus", "mallory@gmail.example", true, "library"),
        MAPPING)).isInstanceOf(SsoAccounts.RefusedException.class).hasMessageContaining("prepared by an admin");
    assertThat(sso.identityOf("linus")).isEmpty();
  }

  @Test
  void anAccountPreparedByNameOnlyIsClaimedByAVerifiedEmailEqualToItsName() throws Exception {
    accounts.createExternal("linus@campus.example", Role.VIEWER, Set.of());
    SsoAccounts.Admission a = sso.admit(ISSUER, withEmail("s-7", "linus", "Linus@campus.example", true, "library"),
        MAPPING);
    assertThat(a.user().username()).isEqualTo("linus@campus.example");
  }

  @Test
  void aRoleTheGroupsGaveIsRefusedOnceTheUserLeftEveryMappedGroup() throws Exception {
    sso.admit(ISSUER, identity("s-1", "grace", "physics-managers"), MAPPING);
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-1", "grace", "alumni"), MAPPING))
        .isInstanceOf(SsoAccounts.RefusedException.class)
        .hasMessageContaining("no longer map to a LabScan role")
        .hasMessageContaining("lab-manager of optics-lab, physics-lab came from them");
  }

  @Test
  void leavingEveryMappedGroupEndsTheUsersOpenSessions() throws Exception {
    SsoAccounts.Admission first = sso.admit(ISSUER, identity("s-1", "grace", "it-staff"), MAPPING);
    Sessions sessions = new Sessions(store, Clock.systemUTC());
    Sessions.Session open = sessions.create(first.user());
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-1", "grace"), MAPPING))
        .hasMessageContaining("sessions have ended");
    assertThat(sessions.find(open.id())).isEmpty();
  }

  @Test
  void aRoleAnAdminSetAfterTheGroupsDidIsKeptWhenNoGroupMapsAnyMore() throws Exception {
    sso.admit(ISSUER, identity("s-1", "grace", "physics-managers"), MAPPING);
    accounts.setRole("grace", Role.VIEWER, Set.of());
    SsoAccounts.Admission later = sso.admit(ISSUER, identity("s-1", "grace", "alumni"), MAPPING);
    assertThat(later.user().role()).isEqualTo(Role.VIEWER);
    assertThat(later.roleChange()).isEmpty();
  }

  @Test
  void aChangedGroupUpdatesTheRoleAndNamesTheOldRoleTheNewAndTheClaimValues() throws Exception {
    SsoAccounts.Admission first = sso.admit(ISSUER, identity("s-1", "grace", "it-staff", "staff"), MAPPING);
    assertThat(first.roleChange()).hasValue(new SsoAccounts.RoleChange("none", "viewer", List.of("it-staff")));
    SsoAccounts.Admission moved = sso.admit(ISSUER, identity("s-1", "grace", "staff", "physics-managers"), MAPPING);
    assertThat(moved.user().role()).isEqualTo(Role.LAB_MANAGER);
    assertThat(moved.roleChange()).hasValue(new SsoAccounts.RoleChange("viewer", "lab-manager of optics-lab, physics-lab",
        List.of("physics-managers")));
    assertThat(sso.admit(ISSUER, identity("s-1", "grace", "physics-managers"), MAPPING).roleChange()).isEmpty();
  }

  @Test
  void aFirstLoginWithoutAMappedGroupCreatesNobody() {
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-9", "linus", "students", "library"), MAPPING))
        .hasMessageContaining("map to no LabScan role").hasMessageContaining("students, library");
    assertThat(accounts.find("linus")).isEmpty();
  }

  @Test
  void aProviderUserNameLabScanCannotStoreIsRefusedNamingIt() {
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-3", "Grace Hopper", "it-staff"), MAPPING))
        .hasMessageContaining("'Grace Hopper' is not a valid LabScan user name");
  }

  @Test
  void aRemovedUserReplacedByALocalAccountIsNotReachedThroughTheOldIdentity() throws Exception {
    sso.admit(ISSUER, identity("s-1", "grace", "labscan-admins"), MAPPING);
    accounts.add("keeper", Role.ADMIN, "another admin password", false);
    accounts.remove("grace");
    accounts.add("grace", Role.VIEWER, "a local password for grace", false);
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-1", "grace", "labscan-admins"), MAPPING))
        .hasMessageContaining("local LabScan account named 'grace'");
    assertThat(accounts.find("grace").orElseThrow().role()).isEqualTo(Role.VIEWER);
  }

  @Test
  void theLastAdminWhoseGroupsNoLongerGiveAdminIsRefusedAndTheDatabaseKeepsTheAdmin() throws Exception {
    sso.admit(ISSUER, identity("s-1", "ada", "labscan-admins"), MAPPING);
    assertThatThrownBy(() -> sso.admit(ISSUER, identity("s-1", "ada", "it-staff"), MAPPING))
        .isInstanceOf(SsoAccounts.RefusedException.class)
        .hasMessageContaining("last admin");
    assertThat(accounts.find("ada").orElseThrow().role()).isEqualTo(Role.ADMIN);
  }
}
