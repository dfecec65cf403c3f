package io.labscan.controller.oidc;

import io.labscan.contract.trust.OwnerOnlyFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The single sign-on options of {@code serve} (a picocli mixin). Single sign-on is on when
 * {@code --oidc-issuer} is given; then the client id, the secret file and the redirect base are
 * required, and every mistake is refused before the controller starts, naming the option.
 */
public final class OidcOptions {
  /** Largest client secret file read. */
  static final int MAX_SECRET_FILE = 4096;

  @Option(names = "--oidc-issuer", paramLabel = "URL",
      description = "Single sign-on: the OpenID Connect provider's issuer URL (https; http only on loopback), e.g. "
          + "https://idp.example.edu/realms/campus. Its discovery document is read at start.")
  String issuer;

  @Option(names = "--oidc-client-id", paramLabel = "ID", description = "Single sign-on: LabScan's client id at the provider.")
  String clientId;

  @Option(names = "--oidc-client-secret-file", paramLabel = "FILE",
      description = "Single sign-on: file holding the client secret on its first line; must be readable by the "
          + "controller's account only (chmod 600).")
  Path clientSecretFile;

  @Option(names = "--oidc-role-claim", paramLabel = "NAME", defaultValue = "groups",
      description = "Single sign-on: the ID token claim holding the user's groups or roles (default: ${DEFAULT-VALUE}).")
  String roleClaim;

  @Option(names = "--oidc-role-map", paramLabel = "GROUP=ROLE[:LAB,...]",
      description = "Single sign-on: maps a value of the role claim to a LabScan role (repeatable): GROUP=admin, "
          + "GROUP=viewer or GROUP=lab-manager:LAB[,LAB...]. The strongest mapped role wins; a user in no mapped "
          + "group keeps the role an admin assigned, and cannot log in the first time.")
  List<String> roleMap = new ArrayList<>();

  @Option(names = "--oidc-redirect-base", paramLabel = "URL",
      description = "Single sign-on: the dashboard's external URL as browsers reach it (https, or http on "
          + "loopback), e.g. https://labscan.example.edu; the provider redirects to URL/login/oidc/callback.")
  URI redirectBase;

  @Option(names = "--oidc-provider-name", paramLabel = "TEXT", defaultValue = "single sign-on",
      description = "Single sign-on: the name on the login button (default: ${DEFAULT-VALUE}).")
  String providerName;

  /** The settings, or empty when single sign-on is not configured; an IllegalArgumentException names the bad option. */
  public Optional<OidcClient.Settings> settings() {
    if (issuer == null) {
      if (clientId != null || clientSecretFile != null || !roleMap.isEmpty() || redirectBase != null) {
        throw new IllegalArgumentException("--oidc-client-id, --oidc-client-secret-file, --oidc-role-map and "
            + "--oidc-redirect-base need --oidc-issuer");
      }
      return Optional.empty();
    }
    String iss = issuer.strip();
    checkUrl("--oidc-issuer", iss);
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("--oidc-issuer needs --oidc-client-id ID");
    }
    if (clientSecretFile == null) {
      throw new IllegalArgumentException("--oidc-issuer needs --oidc-client-secret-file FILE (the secret is never "
          + "given on the command line)");
    }
    if (redirectBase == null) {
      throw new IllegalArgumentException("--oidc-issuer needs --oidc-redirect-base URL (the dashboard's URL as "
          + "browsers reach it)");
    }
    String base = redirectBase.toString();
    checkUrl("--oidc-redirect-base", base);
    if (redirectBase.getRawQuery() != null || redirectBase.getRawFragment() != null) {
      throw new IllegalArgumentException("--oidc-redirect-base " + base + ": no query or fragment");
    }
    if (roleClaim == null || roleClaim.isBlank()) {
      throw new IllegalArgumentException("--oidc-role-claim must name a claim");
    }
    RoleMapping mapping;
    try {
      mapping = RoleMapping.parseEntries(roleMap);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--oidc-role-map: " + e.getMessage(), e);
    }
    String secret = secret(clientSecretFile);
    URI redirect = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/login/oidc/callback");
    String name = providerName == null || providerName.isBlank() ? "single sign-on" : providerName.strip();
    if (name.length() > 60) {
      throw new IllegalArgumentException("--oidc-provider-name: at most 60 characters");
    }
    return Optional.of(new OidcClient.Settings(iss, clientId.strip(), secret, redirect, roleClaim.strip(), mapping, name));
  }

  /** https, or http to a loopback address (a provider or dashboard on this machine, as in tests). */
  static void checkUrl(String option, String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(option + " '" + text + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException(option + " '" + text + "' has no host");
    }
    boolean loopback = host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
    if (!scheme.equals("https") && !(scheme.equals("http") && loopback)) {
      throw new IllegalArgumentException(option + " '" + text + "' must be https (http only on loopback)");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(option + " '" + text + "' must not hold credentials");
    }
  }

  /** The first line of an owner-only file. */
  static String secret(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("--oidc-client-secret-file " + file + ": no such file");
      }
      if (!OwnerOnlyFiles.isOwnerOnly(file)) {
        throw new IllegalArgumentException("--oidc-client-secret-file " + file + " is readable by other users; "
            + "make it owner-only (chmod 600 " + file + ")");
      }
      if (Files.size(file) > MAX_SECRET_FILE) {
        throw new IllegalArgumentException("--oidc-client-secret-file " + file + " is larger than " + MAX_SECRET_FILE
            + " bytes: is it the right file?");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      String line = (end < 0 ? text : text.substring(0, end)).strip();
      if (line.isEmpty()) {
        throw new IllegalArgumentException("--oidc-client-secret-file " + file + " holds no secret on its first line");
      }
      return line;
    } catch (IOException e) {
      throw new IllegalArgumentException("--oidc-client-secret-file " + file + ": cannot read it (" + e.getMessage() + ")", e);
    }
  }
}
