package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresServer;
import io.labscan.testsupport.PostgresStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /healthz} of a controller on a real PostgreSQL server of its own (stopped by the test):
 * healthy while the database answers, 503 once it does not, so a load balancer in front of several
 * controllers stops sending users to this one; the anonymous answer never names the database's
 * address or user.
 */
class HealthzOnPostgresTest {
  @TempDir Path dir;
  private PostgresServer server;
  private Controller controller;
  private Dashboard http;

  @AfterEach
  void stop() throws Exception {
    if (http != null) {
      http.close();
    }
    if (controller != null) {
      controller.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> healthz() throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/healthz"))
        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthzSaysTheDatabaseIsReachableAndAnswers503OnceThePostgresqlServerStops() throws Exception {
    server = PostgresServer.start();
    PostgresServer.TestDatabase db = server.createDatabase();
    Storage storage = Storage.open(PostgresStorage.url(db), PostgresStorage.credentials(db), Clock.systemUTC());
    controller = Controller.open(ControllerConfig.builder(dir.resolve("state")).clock(Clock.systemUTC()).build(),
        storage);
    http = Dashboard.start("127.0.0.1", 0, DashboardOptions.defaults(), controller,
        new EngineTriageRunner(controller.complaints()), List.of(),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    HttpResponse<String> up = healthz();
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.body()).isEqualTo("ok\ndatabase: reachable\n");

    server.stop();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      HttpResponse<String> down = healthz();
      assertThat(down.statusCode()).isEqualTo(503);
      // Anonymous: the driver's reason ("Connection to 127.0.0.1:PORT refused", or "password
      // authentication failed for user NAME") names the database; it goes to the log only.
      assertThat(down.body()).isEqualTo("unhealthy\ndatabase: unreachable\n")
          .doesNotContain(Integer.toString(db.port())).doesNotContain(db.user());
    });
  }
}
