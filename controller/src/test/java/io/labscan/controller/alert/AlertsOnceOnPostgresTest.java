package io.labscan.controller.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.testsupport.PostgresStorage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controllers on one real PostgreSQL database (issue 20), both alerting to one webhook: an
 * alert both of them raise (both saw the host become INFECTED, both found the address conflict)
 * is sent once, by the one that claimed it first.
 */
class AlertsOnceOnPostgresTest {
  @TempDir Path dir;
  private HttpServer receiver;
  private final List<String> posted = new CopyOnWriteArrayList<>();
  private final List<Controller> controllers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    receiver.createContext("/hook", ex -> {
      posted.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    PostgresStorage.database(dir.resolve("fleet"));
  }

  @AfterEach
  void stop() {
    controllers.forEach(Controller::close);
    receiver.stop(0);
  }

  private Controller controller(String name) {
    Controller c = Controller.open(ControllerConfig.builder(dir.resolve(name)).clock(Clock.systemUTC())
        .alertWebhook(Optional.of(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"))).build(),
        PostgresStorage.open(dir.resolve("fleet")));
    controllers.add(c);
    return c;
  }

  @Test
  void anAlertRaisedByBothControllersIsSentOnce() {
    Controller a = controller("a");
    Controller b = controller("b");
    Instant seen = Instant.now();
    Reason conflict = new Reason("address-conflict", "10.20.3.17 is claimed by lab-pc-07 (h-07) and lab-pc-08 (h-08) "
        + "since 2026-12-07T08:00:00Z: conflicting address claims; both remain triage candidates", "host h-08");

    for (Controller c : List.of(a, b)) {
      c.alerts().raise(new Alert("h-07", "lab-pc-07", Verdict.INFECTED, seen, List.of(new Reason("artifact",
          "WINDOWS/SYSTEM32/WinkQZRT.exe", "scan"))));
      c.alerts().raise(new Alert(Alert.Kind.ADDRESS_CONFLICT, "h-07", "lab-pc-07", Verdict.INFECTED, seen,
          List.of(conflict)));
    }
    a.alerts().flush();
    b.alerts().flush();

    assertThat(posted).hasSize(2);
    assertThat(posted).filteredOn(p -> p.contains("\"verdict-changed\"")).hasSize(1);
    assertThat(posted).filteredOn(p -> p.contains("\"address-conflict\"")).hasSize(1);
  }

  @Test
  void differentAlertsAreEachSentByWhicheverControllerRaisedThem() {
    Controller a = controller("a");
    Controller b = controller("b");

    a.alerts().raise(new Alert("h-07", "lab-pc-07", Verdict.INFECTED, Instant.now(), List.of()));
    b.alerts().raise(new Alert("h-12", "lab-pc-12", Verdict.INFECTED, Instant.now(), List.of()));
    a.alerts().flush();
    b.alerts().flush();

    assertThat(posted).hasSize(2);
  }
}
