package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;

/**
 * The parts of an OpenID provider's discovery document ({@code
 * ISSUER/.well-known/openid-configuration}, OpenID Connect Discovery 1.0) LabScan uses. The
 * document's {@code issuer} must equal the configured issuer exactly (Discovery §4.3), so a
 * document served elsewhere cannot redirect logins; a provider that lists its PKCE methods must
 * list {@code S256}. Fetching is bounded in time (one deadline for the whole answer) and size.
 */
public record ProviderMetadata(String issuer, URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri,
    Optional<URI> endSessionEndpoint) {

  static final int MAX_DOCUMENT_BYTES = 256 * 1024;

  public ProviderMetadata {
    requireNonNull(issuer, "issuer");
    requireNonNull(authorizationEndpoint, "authorizationEndpoint");
    requireNonNull(tokenEndpoint, "tokenEndpoint");
    requireNonNull(jwksUri, "jwksUri");
    requireNonNull(endSessionEndpoint, "endSessionEndpoint");
  }

  /** Fetches and checks the discovery document of {@code issuer}. */
  public static ProviderMetadata discover(String issuer, HttpClient http, Duration timeout) throws IOException {
    requireNonNull(issuer, "issuer");
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    URI uri = URI.create(base + "/.well-known/openid-configuration");
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET().build();
    ProviderHttp.Answer answer = ProviderHttp.send(http, request, MAX_DOCUMENT_BYTES, timeout, "OpenID discovery");
    if (answer.status() >= 500 || answer.status() == 429) {
      throw new UnreachableException("OpenID discovery " + uri + " answered HTTP " + answer.status(), null);
    }
    if (answer.status() != 200) {
      throw new IOException("OpenID discovery " + uri + " answered HTTP " + answer.status());
    }
    JsonNode doc = new ObjectMapper().readTree(answer.body());
    return parse(issuer, doc);
  }

  static ProviderMetadata parse(String issuer, JsonNode doc) throws IOException {
    if (doc == null || !doc.isObject()) {
      throw new IOException("OpenID discovery document is not a JSON object");
    }
    String declared = doc.path("issuer").asText("");
    if (!declared.equals(issuer)) {
      throw new IOException("OpenID discovery document names issuer '" + declared + "', configured is '" + issuer + "'");
    }
    JsonNode methods = doc.get("code_challenge_methods_supported");
    if (methods != null && methods.isArray()) {
      boolean s256 = false;
      for (JsonNode m : methods) {
        s256 |= m.asText().equals("S256");
      }
      if (!s256) {
        throw new IOException("identity provider does not support PKCE S256 (code_challenge_methods_supported)");
      }
    }
    Optional<URI> endSession = doc.hasNonNull("end_session_endpoint")
        ? Optional.of(endpoint(doc, "end_session_endpoint")) : Optional.empty();
    return new ProviderMetadata(issuer, endpoint(doc, "authorization_endpoint"), endpoint(doc, "token_endpoint"),
        endpoint(doc, "jwks_uri"), endSession);
  }

  private static URI endpoint(JsonNode doc, String field) throws IOException {
    String text = doc.path(field).asText("");
    URI uri;
    try {
      uri = URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IOException("OpenID discovery: " + field + " is not a URI", e);
    }
    String scheme = uri.getScheme();
    boolean loopback = "http".equals(scheme) && uri.getHost() != null
        && (uri.getHost().equals("127.0.0.1") || uri.getHost().equals("localhost") || uri.getHost().equals("[::1]"));
    if (!"https".equals(scheme) && !loopback) {
      throw new IOException("OpenID discovery: " + field + " must be https (http only on loopback): '" + text + "'");
    }
    return uri;
  }

  /**
   * The provider did not answer (no connection, timeout, HTTP 5xx or 429): worth trying again
   * later, unlike a document that answers but is wrong (a configuration mistake).
   */
  public static final class UnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    public UnreachableException(String message, @org.jspecify.annotations.Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
