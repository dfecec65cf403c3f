package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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
 *
 * <p>The document is read again after {@link #REFRESH_EVERY} (the provider may move an endpoint),
 * by one login at a time while every other login goes on with the document it has; a failed
 * re-read keeps the old document. Every call to the provider has one overall deadline ({@link
 * ProviderHttp}), and no lock is held while one runs: a provider that accepts connections and
 * never answers fails the logins that wait for it, with "did not answer within 10 s", and
 * nothing else.
 */
public final class SingleSignOn {
  private static final Logger log = LoggerFactory.getLogger(SingleSignOn.class);
  /** How often a missing discovery document is fetched again, at most. */
  public static final Duration RETRY_EVERY = Duration.ofSeconds(30);
  /** How old a discovery document may get before a login reads it again. */
  public static final Duration REFRESH_EVERY = Duration.ofHours(1);
  static final Duration DISCOVERY_TIMEOUT = ProviderHttp.DEFAULT_DEADLINE;

  private record Current(OidcClient client, Instant read) {}

  private final OidcClient.Settings settings;
  private final HttpClient http;
  private final Clock clock;
  private final Duration deadline;
  private final LoginStates states = new LoginStates();
  private final AtomicReference<@Nullable Current> current = new AtomicReference<>();
  private final AtomicReference<@Nullable CompletableFuture<OidcClient>> discovering = new AtomicReference<>();
  private volatile @Nullable Instant lastAttempt;

  private SingleSignOn(OidcClient.Settings settings, HttpClient http, Clock clock, Duration deadline) {
    this.settings = requireNonNull(settings, "settings");
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
    this.deadline = requireNonNull(deadline, "deadline");
  }

  /**
   * Reads the provider's discovery document.
   *
   * @throws IllegalArgumentException when the provider answers with a document LabScan must not use
   */
  public static SingleSignOn start(OidcClient.Settings settings, HttpClient http, Clock clock) {
    return start(settings, http, clock, ProviderHttp.DEFAULT_DEADLINE);
  }

  /** As {@link #start(OidcClient.Settings, HttpClient, Clock)} with another deadline per provider call. */
  static SingleSignOn start(OidcClient.Settings settings, HttpClient http, Clock clock, Duration deadline) {
    SingleSignOn sso = new SingleSignOn(settings, http, clock, deadline);
    try {
      sso.discoverNow();
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
    return current.get() != null;
  }

  /**
   * The client: the one from the last discovery (read again in the background of this login
   * when older than {@link #REFRESH_EVERY}), or, when there is none yet, a discovery now unless
   * the last try is younger than {@link #RETRY_EVERY}.
   */
  public OidcClient client() throws OidcClient.LoginFailedException {
    Current c = current.get();
    Instant now = clock.instant();
    if (c != null) {
      if (!now.isBefore(c.read().plus(REFRESH_EVERY))) {
        refreshInBackground(now);
      }
      return c.client();
    }
    Instant last = lastAttempt;
    CompletableFuture<OidcClient> running = discovering.get();
    if (running == null && last != null && now.isBefore(last.plus(RETRY_EVERY))) {
      throw new OidcClient.LoginFailedException("identity provider unreachable (tried again at most every "
          + RETRY_EVERY.toSeconds() + " s)");
    }
    try {
      return running != null ? await(running) : discoverNow();
    } catch (IOException e) {
      log.warn("Single sign-on: discovery of {} failed: {}", settings.issuer(), e.getMessage());
      throw new OidcClient.LoginFailedException("identity provider unreachable: " + e.getMessage());
    }
  }

  /** The provider's logout URL when it has one and discovery succeeded. */
  public Optional<URI> logoutUri(@Nullable String idTokenHint, URI postLogoutRedirect) {
    Current c = current.get();
    return c == null ? Optional.empty() : c.client().logoutUri(idTokenHint, postLogoutRedirect);
  }

  private void refreshInBackground(Instant now) {
    Instant last = lastAttempt;
    if (discovering.get() != null || (last != null && now.isBefore(last.plus(RETRY_EVERY)))) {
      return;
    }
    Thread t = new Thread(() -> {
      try {
        discoverNow();
      } catch (IOException e) {
        log.warn("Single sign-on: re-reading the discovery document of {} failed ({}); the one read before stays",
            settings.issuer(), e.getMessage());
      }
    }, "oidc-discovery");
    t.setDaemon(true);
    t.start();
  }

  /** Reads the document unless another thread is reading it already (then waits for that read). */
  private OidcClient discoverNow() throws IOException {
    CompletableFuture<OidcClient> mine = new CompletableFuture<>();
    if (!discovering.compareAndSet(null, mine)) {
      CompletableFuture<OidcClient> running = discovering.get();
      if (running != null) {
        return await(running);
      }
      throw new ProviderMetadata.UnreachableException("identity provider discovery is being retried; try again", null);
    }
    lastAttempt = clock.instant();
    try {
      ProviderMetadata metadata = ProviderMetadata.discover(settings.issuer(), http, deadline);
      OidcClient c = new OidcClient(settings, metadata, http, clock, states, deadline);
      Current before = current.getAndSet(new Current(c, clock.instant()));
      if (before == null || !before.client().provider().equals(metadata)) {
        log.info("Single sign-on: {} (authorization {}, end session {})", settings.issuer(),
            metadata.authorizationEndpoint(), metadata.endSessionEndpoint().map(URI::toString).orElse("none"));
      }
      mine.complete(c);
      return c;
    } catch (IOException | RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      discovering.set(null);
    }
  }

  private OidcClient await(CompletableFuture<OidcClient> running) throws IOException {
    try {
      return running.get(deadline.toNanos() + Duration.ofSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new ProviderMetadata.UnreachableException("identity provider discovery did not finish in time", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
