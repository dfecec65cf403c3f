package io.labscan.controller.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.contract.trust.OwnerOnlyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code serve --oidc-*}: a bad configuration is refused before the controller starts, naming the option. */
class OidcOptionsTest {
  @TempDir Path dir;
  Path secret;

  @BeforeEach
  void secretFile() throws Exception {
    secret = dir.resolve("client-secret");
    OwnerOnlyFiles.writeSecret(secret, "s3cr3t-from-the-provider\n");
  }

  private Optional<OidcClient.Settings> parse(String... args) {
    OidcOptions options = new OidcOptions();
    new CommandLine(options).parseArgs(args);
    return options.settings();
  }

  private String[] complete(String... extra) {
    List<String> args = new ArrayList<>(List.of("--oidc-issuer", "https://idp.campus.example/realms/campus",
        "--oidc-client-id", "labscan", "--oidc-client-secret-file", secret.toString(),
        "--oidc-redirect-base", "https://labscan.campus.example/"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  @Test
  void withoutAnIssuerSingleSignOnIsOff() {
    assertThat(parse()).isEmpty();
  }

  @Test
  void aCompleteConfigurationGivesTheCallbackUnderTheRedirectBaseAndTheMappedGroups() {
    OidcClient.Settings s = parse(complete("--oidc-role-map", "cn=labscan,ou=groups=admin",
        "--oidc-role-map", "physics=lab-manager:physics-lab,optics-lab")).orElseThrow();
    assertThat(s.redirectUri()).hasToString("https://labscan.campus.example/login/oidc/callback");
    assertThat(s.clientSecret()).isEqualTo("s3cr3t-from-the-provider");
    assertThat(s.roleClaim()).isEqualTo("groups");
    assertThat(s.roleMapping().grantFor(List.of("cn=labscan,ou=groups")).orElseThrow().role()).isEqualTo("admin");
    assertThat(s.roleMapping().grantFor(List.of("physics")).orElseThrow().labs()).containsExactlyInAnyOrder("physics-lab", "optics-lab");
    assertThat(s.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void aSecretFileOthersCanReadIsRefused() throws Exception {
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> parse(complete())).hasMessageContaining("--oidc-client-secret-file")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void aMissingPartIsNamed() {
    assertThatThrownBy(() -> parse("--oidc-issuer", "https://idp.campus.example/realms/campus"))
        .hasMessageContaining("--oidc-client-id");
    assertThatThrownBy(() -> parse("--oidc-issuer", "https://idp.campus.example", "--oidc-client-id", "labscan",
        "--oidc-client-secret-file", secret.toString())).hasMessageContaining("--oidc-redirect-base");
    assertThatThrownBy(() -> parse("--oidc-client-id", "labscan")).hasMessageContaining("need --oidc-issuer");
  }

  @Test
  void plainHttpIsRefusedExceptOnLoopback() {
    assertThatThrownBy(() -> parse("--oidc-issuer", "http://idp.campus.example/realms/campus", "--oidc-client-id", "x",
        "--oidc-client-secret-file", secret.toString(), "--oidc-redirect-base", "https://labscan.campus.example"))
        .hasMessageContaining("--oidc-issuer").hasMessageContaining("must be https");
    assertThat(parse("--oidc-issuer", "http://127.0.0.1:8180/realms/campus", "--oidc-client-id", "x",
        "--oidc-client-secret-file", secret.toString(), "--oidc-redirect-base", "http://127.0.0.1:8080")).isPresent();
  }

  @Test
  void aBadRoleMapIsRefusedNamingTheEntry() {
    assertThatThrownBy(() -> parse(complete("--oidc-role-map", "staff=superuser")))
        .hasMessageContaining("--oidc-role-map").hasMessageContaining("staff=superuser");
    assertThatThrownBy(() -> parse(complete("--oidc-role-map", "managers=lab-manager")))
        .hasMessageContaining("needs its labs");
  }
}
