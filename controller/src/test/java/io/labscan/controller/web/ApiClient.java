package io.labscan.controller.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** A JSON API client that logs in like the browser does: session cookie plus CSRF header. */
final class ApiClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final String base;
  private String cookie;
  private String csrf;

  ApiClient(String base) {
    this.base = base;
  }

  HttpResponse<String> login(String username, String password) throws IOException, InterruptedException {
    HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
            .put("username", username).put("password", password).toString())));
    Optional<String> setCookie = r.headers().firstValue("Set-Cookie");
    if (r.statusCode() == 200 && setCookie.isPresent()) {
      cookie = setCookie.get().split(";", 2)[0];
      csrf = JSON.readTree(r.body()).get("csrfToken").asText();
    }
    return r;
  }

  ApiClient loggedIn(String username, String password) throws IOException, InterruptedException {
    HttpResponse<String> r = login(username, password);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("login failed: " + r.statusCode() + " " + r.body());
    }
    return this;
  }

  /** The session cookie as sent ({@code name=value}); null before a login. */
  String cookie() {
    return cookie;
  }

  String csrf() {
    return csrf;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  JsonNode getJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  HttpResponse<String> postJson(String path, JsonNode body) throws IOException, InterruptedException {
    return send(request(path).header("Content-Type", "application/json").header("X-CSRF-Token", csrf == null ? "" : csrf)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
  }

  HttpResponse<String> post(String path, String contentType, byte[] body, String csrfToken)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (csrfToken != null) {
      b.header("X-CSRF-Token", csrfToken);
    }
    return send(b);
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send(request(path).header("X-CSRF-Token", csrf == null ? "" : csrf).DELETE());
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return b;
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
