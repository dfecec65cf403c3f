package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured identity provider, as the web server uses it: {@link OidcClient} once the
 * provider's discovery document has been read.
 *
 * <p>Discovery happens at start ({@link #start}). A document that answers but is wrong (another
 * issuer, plain http to a remote host, no PKCE S256) is a configuration mistake and stops the
 * controller with the reason. A provider that does not answer (down, timeout, HTTP 5xx) does not
 * stop it: agents' reports and local logins must not depend on the campus identity provider, so
 * the controller starts, logs a warning, and tries discovery again when someone clicks the
 * single sign-on button, at most once every {@link #RETRY_EVERY}; until then that button shows
 * "identity provider unreachable". A later discovery that finds a wrong document is logged and
 * treated the same way (no login).
 */
public final class SingleSignOn {
  private static final Logger log = LoggerFactory.getLogger(SingleSignOn.class);
  /** How often a missing discovery document is fetched again, at most. */
  public static final Duration RETRY_EVERY = Duration.ofSeconds(30);
  static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(10);

  private final OidcClient.Settings settings;
  private final HttpClient http;
  private final Clock clock;
  private volatile @Nullable OidcClient client;
  private @Nullable Instant lastAttempt;

  private SingleSignOn(OidcClient.Settings settings, HttpClient http, Clock clock) {
    this.settings = requireNonNull(settings, "settings");
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Reads the provider's discovery document.
   *
   * @throws IllegalArgumentException when the provider answers with a document LabScan must not use
   */
  public static SingleSignOn start(OidcClient.Settings settings, HttpClient http, Clock clock) {
    SingleSignOn sso = new SingleSignOn(settings, http, clock);
    try {
      sso.discover();
    } catch (ProviderMetadata.UnreachableException e) {
      log.warn("Single sign-on: identity provider {} unreachable at start ({}); local logins work, single sign-on "
          + "is tried again when used", settings.issuer(), e.getMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("--oidc-issuer " + settings.issuer() + ": " + e.getMessage(), e);
    }
    return sso;
  }

  /** An HTTP client for the provider: no redirects followed, bounded connect time. */
  public static HttpClient httpClient() {
    return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  public OidcClient.Settings settings() {
    return settings;
  }

  /** True once the discovery document has been read. */
  public boolean ready() {
    return client != null;
  }

  /** The client, reading the discovery document first when it is missing and the last try is old enough. */
  public OidcClient client() throws OidcClient.LoginFailedException {
    OidcClient c = client;
    if (c != null) {
      return c;
    }
    synchronized (this) {
      if (client != null) {
        return client;
      }
      Instant now = clock.instant();
      if (lastAttempt != null && now.isBefore(lastAttempt.plus(RETRY_EVERY))) {
        throw new OidcClient.LoginFailedException("identity provider unreachable (tried again at most every "
            + RETRY_EVERY.toSeconds() + " s)");
      }
      try {
        return discover();
      } catch (IOException e) {
        log.warn("Single sign-on: discovery of {} failed: {}", settings.issuer(), e.getMessage());
        throw new OidcClient.LoginFailedException("identity provider unreachable: " + e.getMessage());
      }
    }
  }

  /** The provider's logout URL when it has one and discovery succeeded. */
  public Optional<URI> logoutUri(@Nullable String idTokenHint, URI postLogoutRedirect) {
    OidcClient c = client;
    return c == null ? Optional.empty() : c.logoutUri(idTokenHint, postLogoutRedirect);
  }

  private synchronized OidcClient discover() throws IOException {
    lastAttempt = clock.instant();
    ProviderMetadata metadata = ProviderMetadata.discover(settings.issuer(), http, DISCOVERY_TIMEOUT);
    OidcClient c = new OidcClient(settings, metadata, http, clock);
    client = c;
    log.info("Single sign-on: {} (authorization {}, end session {})", settings.issuer(),
        metadata.authorizationEndpoint(), metadata.endSessionEndpoint().map(URI::toString).orElse("none"));
    return c;
  }
}
