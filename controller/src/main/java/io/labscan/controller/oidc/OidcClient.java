package io.labscan.controller.oidc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The relying-party side of the OpenID Connect authorization code flow with PKCE (RFC 7636, S256),
 * {@code state} and {@code nonce}.
 *
 * <p>{@link #begin()} makes a fresh state, nonce and code verifier (32 random bytes each), keeps
 * them server-side for {@link #PENDING_TTL} and returns the provider URL to redirect to; the web
 * layer also puts the state in a cookie so the callback only completes in the browser that started
 * it (no login CSRF). {@link #complete} takes the pending login once (a replayed callback fails),
 * redeems the code at the token endpoint with the verifier and the client secret (HTTP Basic), and
 * checks the ID token with {@link IdTokenVerifier}. Pending logins are bounded ({@link
 * #MAX_PENDING}, oldest dropped) so anonymous requests cannot grow memory.
 */
public final class OidcClient {

  public static final Duration PENDING_TTL = Duration.ofMinutes(10);
  public static final int MAX_PENDING = 10_000;
  static final int MAX_TOKEN_RESPONSE_BYTES = 256 * 1024;

  /** Configuration from {@code serve --oidc-*}. */
  public record Settings(String issuer, String clientId, String clientSecret, URI redirectUri, String roleClaim,
      RoleMapping roleMapping, String providerName) {
    public Settings {
      requireNonNull(issuer, "issuer");
      requireNonNull(clientId, "clientId");
      requireNonNull(clientSecret, "clientSecret");
      requireNonNull(redirectUri, "redirectUri");
      requireNonNull(roleClaim, "roleClaim");
      requireNonNull(roleMapping, "roleMapping");
      requireNonNull(providerName, "providerName");
    }

    @Override
    public String toString() {
      return "Settings[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=(hidden), redirectUri=" + redirectUri + "]";
    }
  }

  /** Where to send the browser and the state to bind to it. */
  public record Start(URI authorizationUri, String state) {}

  private record Pending(String nonce, String codeVerifier, Instant created) {}

  private final Settings settings;
  private final ProviderMetadata provider;
  private final IdTokenVerifier verifier;
  private final HttpClient http;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  public OidcClient(Settings settings, ProviderMetadata provider, HttpClient http, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.provider = requireNonNull(provider, "provider");
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
    this.verifier = new IdTokenVerifier(settings.issuer(), settings.clientId(), provider.jwksUri(), clock);
  }

  public Settings settings() {
    return settings;
  }

  /** Starts a login: the authorization request URL (response_type=code, S256 challenge). */
  public Start begin() {
    String state = randomToken();
    String nonce = randomToken();
    String codeVerifier = randomToken();
    Instant now = clock.instant();
    synchronized (pending) {
      prune(now);
      while (pending.size() >= MAX_PENDING) {
        Iterator<String> oldest = pending.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      pending.put(state, new Pending(nonce, codeVerifier, now));
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", settings.clientId());
    query.put("redirect_uri", settings.redirectUri().toString());
    query.put("scope", "openid profile email");
    query.put("state", state);
    query.put("nonce", nonce);
    query.put("code_challenge", codeChallenge(codeVerifier));
    query.put("code_challenge_method", "S256");
    String base = provider.authorizationEndpoint().toString();
    return new Start(URI.create(base + (base.contains("?") ? "&" : "?") + form(query)), state);
  }

  /**
   * Completes a login from the callback's {@code state} and {@code code}; throws {@link
   * LoginFailedException} (message safe to log) when anything does not check out.
   */
  public OidcIdentity complete(@org.jspecify.annotations.Nullable String state, @org.jspecify.annotations.Nullable String code) throws LoginFailedException {
    if (state == null || code == null || state.isEmpty() || code.isEmpty() || code.length() > 4096) {
      throw new LoginFailedException("callback without state or code");
    }
    Pending p;
    synchronized (pending) {
      prune(clock.instant());
      p = pending.remove(state);
    }
    if (p == null) {
      throw new LoginFailedException("unknown or expired login state (started more than "
          + PENDING_TTL.toMinutes() + " min ago, or replayed)");
    }
    String idToken = redeem(code, p.codeVerifier());
    JWTClaimsSet claims;
    try {
      claims = verifier.verify(idToken, p.nonce());
    } catch (IdTokenVerifier.InvalidIdTokenException e) {
      throw new LoginFailedException(String.valueOf(e.getMessage()));
    }
    return identity(claims, settings.roleClaim(), idToken);
  }

  /** The provider logout URL (RP-initiated logout) when the provider has an end_session_endpoint. */
  public Optional<URI> logoutUri(@org.jspecify.annotations.Nullable String idTokenHint, URI postLogoutRedirect) {
    return provider.endSessionEndpoint().map(end -> {
      Map<String, String> query = new LinkedHashMap<>();
      query.put("client_id", settings.clientId());
      if (idTokenHint != null) {
        query.put("id_token_hint", idTokenHint);
      }
      query.put("post_logout_redirect_uri", postLogoutRedirect.toString());
      String base = end.toString();
      return URI.create(base + (base.contains("?") ? "&" : "?") + form(query));
    });
  }

  /** Builds the identity from verified claims; the role claim may be a string or an array of strings. */
  static OidcIdentity identity(JWTClaimsSet claims, String roleClaim, String idToken) {
    String subject = claims.getSubject();
    Object preferred = claims.getClaim("preferred_username");
    String username = preferred instanceof String s && !s.isBlank() ? s : subject;
    Object name = claims.getClaim("name");
    List<String> groups = new ArrayList<>();
    Object raw = claims.getClaim(roleClaim);
    if (raw instanceof String s) {
      groups.add(s);
    } else if (raw instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s && groups.size() < 1000) {
          groups.add(s);
        }
      }
    }
    Object mail = claims.getClaim("email");
    Optional<String> email = mail instanceof String m && !m.isBlank() && m.length() <= 254 ? Optional.of(m.strip())
        : Optional.empty();
    // A boolean by the specification; some providers send the string "true".
    Object verified = claims.getClaim("email_verified");
    boolean emailVerified = Boolean.TRUE.equals(verified) || "true".equals(verified);
    return new OidcIdentity(subject, username, name instanceof String s ? s : username, groups, idToken, email,
        emailVerified);
  }

  private String redeem(String code, String codeVerifier) throws LoginFailedException {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("grant_type", "authorization_code");
    body.put("code", code);
    body.put("redirect_uri", settings.redirectUri().toString());
    body.put("code_verifier", codeVerifier);
    String basic = Base64.getEncoder().encodeToString(
        (enc(settings.clientId()) + ":" + enc(settings.clientSecret())).getBytes(UTF_8));
    HttpRequest request = HttpRequest.newBuilder(provider.tokenEndpoint())
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .header("Authorization", "Basic " + basic)
        .POST(HttpRequest.BodyPublishers.ofString(form(body)))
        .build();
    try {
      HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] bytes;
      try (InputStream in = response.body()) {
        bytes = in.readNBytes(MAX_TOKEN_RESPONSE_BYTES + 1);
      }
      if (bytes.length > MAX_TOKEN_RESPONSE_BYTES) {
        throw new LoginFailedException("token response too large");
      }
      JsonNode json = new ObjectMapper().readTree(bytes);
      if (response.statusCode() != 200) {
        throw new LoginFailedException("token endpoint answered HTTP " + response.statusCode() + " "
            + (json == null ? "" : json.path("error").asText("")).replaceAll("[^\\x20-\\x7e]", "?"));
      }
      String idToken = json == null ? "" : json.path("id_token").asText("");
      if (idToken.isEmpty()) {
        throw new LoginFailedException("token response has no id_token");
      }
      return idToken;
    } catch (IOException e) {
      throw new LoginFailedException("token endpoint unreachable or answer unreadable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LoginFailedException("interrupted");
    }
  }

  private void prune(Instant now) {
    pending.values().removeIf(p -> p.created().plus(PENDING_TTL).isBefore(now));
  }

  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** RFC 7636 §4.2: BASE64URL(SHA-256(ASCII(code_verifier))). */
  static String codeChallenge(String codeVerifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(codeVerifier.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String form(Map<String, String> params) {
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
    return sb.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, UTF_8);
  }

  /** A login that must not succeed; the message names why and is safe to log. */
  public static final class LoginFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    public LoginFailedException(String message) {
      super(message);
    }
  }
}
