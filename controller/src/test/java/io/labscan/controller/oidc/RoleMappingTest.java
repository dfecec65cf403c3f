package io.labscan.controller.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleMappingTest {

  private final RoleMapping mapping = RoleMapping.parse(
      "labscan-admins=admin, it-staff=viewer, lab-a-managers=lab-manager:lab-a, lab-b-managers=lab-manager:lab-b:lab-b2");

  @Test
  void aMappedGroupGivesItsRole() {
    assertThat(mapping.grantFor(List.of("it-staff"))).contains(new RoleMapping.Grant("viewer", Set.of()));
  }

  @Test
  void keycloakFullPathGroupsMatchTheirNames() {
    assertThat(mapping.grantFor(List.of("/labscan-admins"))).contains(new RoleMapping.Grant("admin", Set.of()));
  }

  @Test
  void theStrongestMappedRoleWins() {
    assertThat(mapping.grantFor(List.of("it-staff", "labscan-admins", "lab-a-managers")).orElseThrow().role()).isEqualTo("admin");
  }

  @Test
  void labManagerGroupsAddUpTheirLabs() {
    assertThat(mapping.grantFor(List.of("lab-a-managers", "lab-b-managers", "it-staff")))
        .contains(new RoleMapping.Grant("lab-manager", Set.of("lab-a", "lab-b", "lab-b2")));
  }

  @Test
  void aClaimThatMapsToNothingGivesNoAccess() {
    assertThat(mapping.grantFor(List.of("students", "LABSCAN-ADMINS"))).isEmpty();
    assertThat(mapping.grantFor(List.of())).isEmpty();
  }

  @Test
  void aMalformedMapIsRefusedNamingTheEntry() {
    assertThatThrownBy(() -> RoleMapping.parse("staff=superuser")).hasMessageContaining("staff=superuser").hasMessageContaining("unknown role");
    assertThatThrownBy(() -> RoleMapping.parse("lab-managers=lab-manager")).hasMessageContaining("needs its labs");
    assertThatThrownBy(() -> RoleMapping.parse("staff")).hasMessageContaining("GROUP=ROLE");
    assertThatThrownBy(() -> RoleMapping.parse("a=admin,a=viewer")).hasMessageContaining("twice");
  }
}
