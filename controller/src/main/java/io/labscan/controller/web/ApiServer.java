package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.labscan.controller.cli.HostsFormat;
import io.labscan.controller.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The controller's read-only HTTP JSON API ({@code /api/v1/...}) and health endpoint.
 * Binds to loopback unless told otherwise. The dashboard will be served from here too.
 */
public final class ApiServer implements AutoCloseable {
  private final HttpServer server;

  private ApiServer(HttpServer server) {
    this.server = server;
  }

  public static ApiServer start(String bind, int port, Store store) {
    requireNonNull(bind, "bind");
    requireNonNull(store, "store");
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot listen for HTTP on " + bind + ":" + port + ": " + e.getMessage()
          + " (pick another port with --http-port)", e);
    }
    server.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
    server.createContext("/api/v1/hosts", ex -> {
      if (!"GET".equals(ex.getRequestMethod())) {
        respond(ex, 405, "application/json", "{\"error\":\"method not allowed\"}\n");
        return;
      }
      respond(ex, 200, "application/json", HostsFormat.render(store.hosts(), HostsFormat.Format.JSON));
    });
    server.createContext("/", ex -> respond(ex, 404, "application/json", "{\"error\":\"not found\"}\n"));
    server.setExecutor(Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "labscan-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return new ApiServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(1);
  }
}
