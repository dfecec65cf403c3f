package io.labscan.controller.oidc;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Every call LabScan makes to the identity provider (discovery, token, JWKS) goes through here:
 * one overall deadline from connecting to the last byte of the answer, and a cap on the answer's
 * size.
 *
 * <p>Why not {@link HttpRequest#timeout}: it ends when the response <em>headers</em> arrive, so a
 * provider (or something in its place) that sends headers and then a byte a minute would hold the
 * login for ever, and with it a thread of the web server. Here the whole exchange is one future
 * with a deadline; on expiry it is cancelled (the connection is closed) and the caller gets a
 * {@link ProviderMetadata.UnreachableException} naming the call and the deadline. Nothing waits
 * while holding a lock, so a hanging provider fails its own login and no other.
 */
final class ProviderHttp {
  /** The deadline of each call when none is given: connect, send, and read the whole answer. */
  static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  /** A complete answer: status and body (at most the cap). */
  record Answer(int status, byte[] body) {}

  private ProviderHttp() {}

  /**
   * Sends {@code request} and reads the whole answer within {@code deadline}.
   *
   * @throws ProviderMetadata.UnreachableException no connection, no complete answer in time
   * @throws IOException an answer larger than {@code maxBytes}
   */
  static Answer send(HttpClient http, HttpRequest request, int maxBytes, Duration deadline, String what)
      throws IOException {
    requireNonNull(http, "http");
    requireNonNull(request, "request");
    requireNonNull(deadline, "deadline");
    CompletableFuture<HttpResponse<byte[]>> call = http.sendAsync(request, info -> new Bounded(maxBytes));
    try {
      HttpResponse<byte[]> response = call.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
      return new Answer(response.statusCode(), response.body());
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new ProviderMetadata.UnreachableException(what + " " + request.uri() + " did not answer completely within "
          + seconds(deadline), e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + what + " " + request.uri(), e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof java.net.http.HttpTimeoutException) {
        throw new ProviderMetadata.UnreachableException(what + " " + request.uri() + " did not answer completely within "
            + seconds(deadline), cause);
      }
      if (cause instanceof TooLargeException tooLarge) {
        throw new IOException(what + " " + request.uri() + ": " + tooLarge.getMessage(), tooLarge);
      }
      throw new ProviderMetadata.UnreachableException(what + " " + request.uri() + " unreachable: " + cause, cause);
    }
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** The answer is larger than allowed. */
  static final class TooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    TooLargeException(String message) {
      super(message);
    }
  }

  /** Collects the body up to a cap; cancels the exchange beyond it. */
  private static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
    private final int max;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.@org.jspecify.annotations.Nullable Subscription subscription;

    Bounded(int max) {
      this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (out.size() + b.remaining() > max) {
          Flow.Subscription s = subscription;
          if (s != null) {
            s.cancel();
          }
          result.completeExceptionally(new TooLargeException("answer larger than " + max + " bytes"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}
