package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.labscan.controller.verdict.Reason;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

/**
 * POSTs each alert as JSON to a URL (chat bridges, ticket systems). Body:
 * {@code {"event":"verdict-changed","hostId","hostname","verdict","at","summary","reasons":[{code,text,evidence}]}};
 * {@code "event":"two-keys"} when two keys speak for one host ({@code verdict} is then the host's current one).
 */
public final class WebhookSink implements AlertSink {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI url;
  private final HttpClient client;

  public WebhookSink(URI url) {
    this.url = requireNonNull(url, "url");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
      throw new IllegalArgumentException("webhook '" + url + "' is not an http:// or https:// URL");
    }
    this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  static String body(Alert alert) {
    ObjectNode o = JSON.createObjectNode();
    o.put("event", alert.kind().event());
    o.put("hostId", alert.hostId());
    o.put("hostname", alert.hostname());
    o.put("verdict", alert.verdict().name());
    o.put("at", alert.at().toString());
    o.put("summary", alert.summary());
    ArrayNode reasons = o.putArray("reasons");
    for (Reason r : alert.reasons()) {
      reasons.addObject().put("code", r.code()).put("text", r.text()).put("evidence", r.evidence());
    }
    return o.toString();
  }

  @Override
  public void send(Alert alert) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
        .header("Content-Type", "application/json; charset=utf-8")
        .header("User-Agent", "labscan-controller")
        .POST(HttpRequest.BodyPublishers.ofString(body(alert)))
        .build();
    HttpResponse<Void> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException("webhook answered HTTP " + response.statusCode());
    }
  }

  @Override
  public String describe() {
    return "webhook " + url.getScheme() + "://" + url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : "");
  }
}
