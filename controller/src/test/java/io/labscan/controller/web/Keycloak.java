package io.labscan.controller.web;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Keycloak (Keycloak's Quarkus distribution from Maven Central) on loopback for the
 * single sign-on tests: {@code kc.sh start-dev} with an in-memory database and the realm {@value
 * #REALM} imported from {@code keycloak-realm.json} (clients {@code labscan} and {@code wiki},
 * a {@code groups} claim mapper, users in groups).
 *
 * <p>The distribution is the one {@code maven-dependency-plugin} unpacks before the integration
 * tests (system property {@value #HOME_PROPERTY}); a test started otherwise looks for the zip in
 * the local Maven repository and unpacks it under {@code target/}. Either way the folder is kept
 * between runs: Keycloak re-builds its configuration at the first start only. Keycloak 26.4 still
 * runs on Java 17 (the CI's JDK), which this test's JVM runs it with.
 */
final class Keycloak implements AutoCloseable {
  static final String HOME_PROPERTY = "labscan.keycloak.home";
  static final String REALM = "campus";
  static final String CLIENT_ID = "labscan";
  static final String OTHER_CLIENT_ID = "wiki";
  static final String OTHER_CLIENT_SECRET = "wiki-secret-not-labscan";
  private static final Duration STARTUP_LIMIT = Duration.ofMinutes(5);

  private final Process process;
  private final int port;
  private final Path log;
  private final String adminPassword;

  private Keycloak(Process process, int port, Path log, String adminPassword) {
    this.adminPassword = adminPassword;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts Keycloak with the realm, its {@code labscan} client redirecting to {@code dashboard}
   * with {@code clientSecret}; skips (fails, strict) when the distribution is missing or does
   * not start.
   */
  static Keycloak start(String dashboard, String clientSecret, Path work) throws Exception {
    Path home = home();
    Path data = home.resolve("data");
    deleteTree(data);
    Path imports = Files.createDirectories(data.resolve("import"));
    String realm;
    try (InputStream in = Keycloak.class.getResourceAsStream("/io/labscan/controller/oidc/keycloak-realm.json")) {
      realm = new String(in.readAllBytes(), UTF_8);
    }
    Files.writeString(imports.resolve(REALM + "-realm.json"),
        realm.replace("@DASHBOARD@", dashboard).replace("@CLIENT_SECRET@", clientSecret));
    int port = freePort();
    Path log = work.resolve("keycloak.log");
    ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev",
        "--http-host=127.0.0.1", "--http-port=" + port, "--db=dev-mem", "--import-realm",
        "--health-enabled=false")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "kc-admin");
    String adminPassword = "kc-admin-" + Long.toHexString(System.nanoTime());
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
    pb.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
    Process process = pb.start();
    Keycloak kc = new Keycloak(process, port, log, adminPassword);
    Instant deadline = Instant.now().plus(STARTUP_LIMIT);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    while (true) {
      if (!process.isAlive()) {
        String tail = kc.logTail();
        Requirements.that(false, "Keycloak to start on Java " + Runtime.version().feature() + " (exit "
            + process.exitValue() + "; " + log + "):\n" + tail, "check the log above");
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(kc.issuer()
            + "/.well-known/openid-configuration")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return kc;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (Instant.now().isAfter(deadline)) {
        kc.close();
        Requirements.that(false, "Keycloak to answer within " + STARTUP_LIMIT.toMinutes() + " min (" + log + ")",
            "check the log");
      }
      Thread.sleep(1000);
    }
  }

  /** The unpacked distribution: the property set by the build, else unpacked from the local Maven repository. */
  static Path home() throws IOException, InterruptedException {
    String property = System.getProperty(HOME_PROPERTY);
    if (property != null && Files.isExecutable(Path.of(property, "bin", "kc.sh"))) {
      return Path.of(property);
    }
    Path repo = Path.of(System.getProperty("user.home"), ".m2", "repository", "org", "keycloak", "keycloak-quarkus-dist");
    Optional<Path> zip = Optional.empty();
    if (Files.isDirectory(repo)) {
      try (Stream<Path> files = Files.walk(repo, 2)) {
        zip = files.filter(f -> f.getFileName().toString().matches("keycloak-quarkus-dist-[0-9.]+\\.zip")).sorted()
            .reduce((a, b) -> b);
      }
    }
    Requirements.that(zip.isPresent() || property != null,
        "Keycloak's distribution (org.keycloak:keycloak-quarkus-dist zip) for the single sign-on test",
        "run it through './mvnw -pl controller -am verify', which unpacks it (-D" + HOME_PROPERTY + "=DIR names one)");
    Requirements.that(zip.isPresent(), "Keycloak at -D" + HOME_PROPERTY + "=" + property + " (no bin/kc.sh there)",
        "unpack org.keycloak:keycloak-quarkus-dist there");
    String name = zip.get().getFileName().toString().replace("keycloak-quarkus-dist-", "keycloak-").replace(".zip", "");
    Path target = Path.of("target", "keycloak").toAbsolutePath();
    Path home = target.resolve(name);
    if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
      Files.createDirectories(target);
      Process unzip = new ProcessBuilder("unzip", "-q", "-o", zip.get().toString(), "-d", target.toString())
          .inheritIO().start();
      Requirements.that(unzip.waitFor() == 0, "unzip to unpack " + zip.get(), "apt-get install unzip");
    }
    return home;
  }

  /**
   * Takes {@code username} out of the realm group {@code group} through Keycloak's admin REST API
   * (as the bootstrap admin), as campus IT does when someone leaves a team.
   */
  void removeFromGroup(String username, String group) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(base
        + "/realms/master/protocol/openid-connect/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "password", "client_id", "admin-cli",
            "username", "kc-admin", "password", adminPassword))))
        .build(), HttpResponse.BodyHandlers.ofString());
    ObjectMapper json = new ObjectMapper();
    String bearer = "Bearer " + json.readTree(token.body()).path("access_token").asText();
    String admin = base + "/admin/realms/" + REALM;
    JsonNode users = json.readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/users?exact=true&username="
        + java.net.URLEncoder.encode(username, UTF_8))).header("Authorization", bearer).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    JsonNode groups = json.readTree(http.send(HttpRequest.newBuilder(URI.create(admin + "/groups?search="
        + java.net.URLEncoder.encode(group, UTF_8))).header("Authorization", bearer).build(),
        HttpResponse.BodyHandlers.ofString()).body());
    String userId = users.path(0).path("id").asText();
    String groupId = "";
    for (JsonNode g : groups) {
      if (g.path("name").asText().equals(group)) {
        groupId = g.path("id").asText();
      }
    }
    if (userId.isEmpty() || groupId.isEmpty()) {
      throw new IllegalStateException("no user " + username + " or group " + group + " in realm " + REALM);
    }
    HttpResponse<String> removed = http.send(HttpRequest.newBuilder(URI.create(admin + "/users/" + userId + "/groups/"
        + groupId)).header("Authorization", bearer).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    if (removed.statusCode() != 204) {
      throw new IllegalStateException("removing " + username + " from " + group + ": HTTP " + removed.statusCode());
    }
  }

  String issuer() {
    return "http://127.0.0.1:" + port + "/realms/" + REALM;
  }

  /** The last lines of Keycloak's log (for failure messages). */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * Logs {@code username} in at Keycloak as client {@code clientId} without a browser (the
   * authorization code flow with PKCE over plain HTTP: the login form, its POST, the code at the
   * redirect, the token endpoint) and returns the raw ID token, issued with {@code nonce}.
   */
  String idToken(String clientId, String clientSecret, String redirectUri, String username, String password,
      String nonce) throws Exception {
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    Map<String, String> cookies = new LinkedHashMap<>();
    String verifier = "v" + Long.toHexString(System.nanoTime()) + "-0123456789abcdefghijklmnopqrstuvwxyz0123456789";
    String challenge = Base64.getUrlEncoder().withoutPadding()
        .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(UTF_8)));
    String auth = issuer() + "/protocol/openid-connect/auth?" + form(Map.of("response_type", "code",
        "client_id", clientId, "redirect_uri", redirectUri, "scope", "openid", "state", "test-state",
        "nonce", nonce, "code_challenge", challenge, "code_challenge_method", "S256"));
    HttpResponse<String> page = http.send(withCookies(HttpRequest.newBuilder(URI.create(auth)), cookies).build(),
        HttpResponse.BodyHandlers.ofString());
    keep(page, cookies);
    Matcher action = Pattern.compile("action=\"([^\"]+)\"").matcher(page.body());
    if (!action.find()) {
      throw new IllegalStateException("no login form at " + auth + ": HTTP " + page.statusCode());
    }
    HttpResponse<String> posted = http.send(withCookies(HttpRequest.newBuilder(URI.create(
        action.group(1).replace("&amp;", "&"))), cookies)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("username", username, "password", password))))
        .build(), HttpResponse.BodyHandlers.ofString());
    String location = posted.headers().firstValue("Location")
        .orElseThrow(() -> new IllegalStateException("Keycloak did not redirect after login: HTTP " + posted.statusCode()));
    Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
    if (!code.find()) {
      throw new IllegalStateException("no code in " + location);
    }
    HttpResponse<String> tokens = http.send(HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "authorization_code",
            "code", java.net.URLDecoder.decode(code.group(1), UTF_8), "redirect_uri", redirectUri,
            "code_verifier", verifier, "client_id", clientId, "client_secret", clientSecret))))
        .build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = new ObjectMapper().readTree(tokens.body());
    if (tokens.statusCode() != 200 || !json.hasNonNull("id_token")) {
      throw new IllegalStateException("token endpoint: HTTP " + tokens.statusCode() + " " + tokens.body());
    }
    return json.get("id_token").asText();
  }

  /** Keycloak sets its cookies Secure even on http; a test client sends them back on loopback anyway. */
  private static void keep(HttpResponse<?> response, Map<String, String> cookies) {
    for (String header : response.headers().allValues("Set-Cookie")) {
      String pair = header.split(";", 2)[0];
      int eq = pair.indexOf('=');
      if (eq > 0) {
        cookies.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
      }
    }
  }

  private static HttpRequest.Builder withCookies(HttpRequest.Builder b, Map<String, String> cookies) {
    if (!cookies.isEmpty()) {
      List<String> parts = new ArrayList<>();
      cookies.forEach((k, v) -> parts.add(k + "=" + v));
      b.header("Cookie", String.join("; ", parts));
    }
    return b;
  }

  private static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(URLEncoder.encode(k, UTF_8)).append('=')
        .append(URLEncoder.encode(v, UTF_8)));
    return sb.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
