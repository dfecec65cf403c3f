package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The identity provider's signing keys (its JWKS), fetched with {@link ProviderHttp} (one overall
 * deadline, at most {@link #MAX_JWKS_BYTES}) and cached.
 *
 * <p>Rules: the cached set is used for {@link #FRESH}; after that, or when a token names a key id
 * the set lacks (the provider rotated its keys), it is fetched again, at most once per {@link
 * #MIN_REFRESH_INTERVAL} (a stream of tokens with made-up key ids cannot make LabScan hammer the
 * provider). One fetch runs at a time; other logins that need it wait for that fetch's future
 * (no lock is held while the network is used), and when a fetch fails the old set keeps working.
 */
final class ProviderKeys implements JWKSource<SecurityContext> {
  static final Duration FRESH = Duration.ofMinutes(15);
  static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(30);
  static final int MAX_JWKS_BYTES = 512 * 1024;

  private record Cached(JWKSet set, Instant fetched) {}

  private final URI uri;
  private final HttpClient http;
  private final Clock clock;
  private final Duration deadline;
  private final AtomicReference<@Nullable Cached> cached = new AtomicReference<>();
  private final AtomicReference<@Nullable CompletableFuture<JWKSet>> inflight = new AtomicReference<>();
  private volatile @Nullable Instant lastAttempt;

  ProviderKeys(URI uri, HttpClient http, Clock clock, Duration deadline) {
    this.uri = requireNonNull(uri, "uri");
    this.http = requireNonNull(http, "http");
    this.clock = requireNonNull(clock, "clock");
    this.deadline = requireNonNull(deadline, "deadline");
  }

  @Override
  public List<JWK> get(JWKSelector selector, @Nullable SecurityContext context) throws KeySourceException {
    Instant now = clock.instant();
    Cached c = cached.get();
    if (c != null) {
      List<JWK> found = selector.select(c.set());
      if (!found.isEmpty() && now.isBefore(c.fetched().plus(FRESH))) {
        return found;
      }
      Optional<JWKSet> refreshed = refresh(now, true);
      return refreshed.map(selector::select).orElse(found);
    }
    Optional<JWKSet> first = refresh(now, false);
    if (first.isEmpty()) {
      throw new KeySourceException("the identity provider's keys (" + uri + ") could not be fetched (tried again at most "
          + "every " + MIN_REFRESH_INTERVAL.toSeconds() + " s)");
    }
    return selector.select(first.get());
  }

  /** A fresh set, or empty when a fetch is not allowed now or failed while an older set exists. */
  private Optional<JWKSet> refresh(Instant now, boolean haveOld) throws KeySourceException {
    CompletableFuture<JWKSet> running = inflight.get();
    if (running == null) {
      Instant last = lastAttempt;
      if (last != null && now.isBefore(last.plus(MIN_REFRESH_INTERVAL))) {
        return Optional.empty();
      }
      CompletableFuture<JWKSet> mine = new CompletableFuture<>();
      if (inflight.compareAndSet(null, mine)) {
        lastAttempt = now;
        try {
          JWKSet set = fetch();
          cached.set(new Cached(set, clock.instant()));
          mine.complete(set);
        } catch (IOException | RuntimeException e) {
          mine.completeExceptionally(e);
        } finally {
          inflight.set(null);
        }
        running = mine;
      } else {
        running = inflight.get();
        if (running == null) {
          return Optional.empty();
        }
      }
    }
    try {
      return Optional.of(running.get(deadline.toNanos(), TimeUnit.NANOSECONDS));
    } catch (ExecutionException | TimeoutException e) {
      if (haveOld) {
        return Optional.empty();
      }
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new KeySourceException("the identity provider's keys could not be fetched: " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeySourceException("interrupted while fetching the identity provider's keys", e);
    }
  }

  private JWKSet fetch() throws IOException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(deadline).header("Accept", "application/json").GET().build();
    ProviderHttp.Answer answer = ProviderHttp.send(http, request, MAX_JWKS_BYTES, deadline, "JWKS");
    if (answer.status() != 200) {
      throw new IOException("JWKS " + uri + " answered HTTP " + answer.status());
    }
    try {
      return JWKSet.parse(new String(answer.body(), StandardCharsets.UTF_8));
    } catch (ParseException e) {
      throw new IOException("JWKS " + uri + " is not a JWK set: " + e.getMessage(), e);
    }
  }
}
