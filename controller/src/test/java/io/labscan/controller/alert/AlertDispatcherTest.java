package io.labscan.controller.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.labscan.controller.ingest.InvalidReportException;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.controller.web.FleetReports;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verdict changes become alerts on a webhook and a syslog socket, both on loopback. */
class AlertDispatcherTest {
  @TempDir Path dir;
  HttpServer receiver;
  final List<String> posted = new CopyOnWriteArrayList<>();
  DatagramSocket syslog;
  final List<byte[]> datagrams = new CopyOnWriteArrayList<>();
  Thread syslogReader;
  Storage store;
  VerdictService verdicts;
  ReportIngestor ingestor;
  AlertDispatcher alerts;

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    receiver.createContext("/hook", ex -> {
      posted.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    syslog = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    syslogReader = new Thread(() -> {
      byte[] buffer = new byte[4096];
      while (!syslog.isClosed()) {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
          syslog.receive(p);
          datagrams.add(Arrays.copyOf(p.getData(), p.getLength()));
        } catch (java.io.IOException closed) {
          return;
        }
      }
    }, "test-syslog-receiver");
    syslogReader.start();

    store = Storage.open(dir.resolve("a.db"));
    verdicts = new VerdictService(store, VerdictPolicy.defaults(), Clock.systemUTC());
    ingestor = new ReportIngestor(store, verdicts, Clock.systemUTC());
    alerts = new AlertDispatcher(List.of(
        new WebhookSink(URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")),
        SyslogSink.parse("udp://127.0.0.1:" + syslog.getLocalPort(), new SyslogMessage("controller-1"))));
    verdicts.addListener(alerts);
  }

  @AfterEach
  void stop() {
    alerts.close();
    verdicts.close();
    store.close();
    receiver.stop(0);
    syslog.close();
  }

  private void ingest(FleetReports.Host host, Duration ago) throws InvalidReportException {
    ingestor.ingest(host.fullScan(Instant.now(), ago), "test").join();
    verdicts.flush();
  }

  @Test
  void aHostBecomingInfectedAlertsOnceOnEverySinkNotOncePerReport() throws Exception {
    FleetReports.Host pc = new FleetReports.Host("phys-pc-17").infected("WINDOWS/SYSTEM32/WinkQZRT.exe");
    ingest(pc, Duration.ofMinutes(20));
    ingest(pc, Duration.ofMinutes(10));
    ingest(pc, Duration.ofMinutes(1));

    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 1 && datagrams.size() == 1);
    JsonNode body = new ObjectMapper().readTree(posted.get(0));
    assertThat(body.get("event").asText()).isEqualTo("verdict-changed");
    assertThat(body.get("hostId").asText()).isEqualTo(pc.hostId());
    assertThat(body.get("hostname").asText()).isEqualTo("phys-pc-17");
    assertThat(body.get("verdict").asText()).isEqualTo("INFECTED");
    assertThat(body.get("reasons").get(0).get("text").asText()).contains("WINDOWS/SYSTEM32/WinkQZRT.exe");

    String line = new String(datagrams.get(0), StandardCharsets.UTF_8);
    assertThat(line).startsWith("<130>1 ").contains(" controller-1 labscan-controller ")
        .contains("[labscan@32473 hostId=\"" + pc.hostId() + "\" hostname=\"phys-pc-17\" verdict=\"INFECTED\"]")
        .contains("Host phys-pc-17 (" + pc.hostId() + ") is now INFECTED: Infection artifact");
    // No more alerts arrive for the same state: the verdict service only reports changes.
    verdicts.recomputeAll();
    alerts.flush();
    await().atMost(Duration.ofSeconds(10)).until(() -> datagrams.size() >= 1);
    assertThat(posted).hasSize(1);
    assertThat(datagrams).hasSize(1);
  }

  @Test
  void aCleanHostRaisesNoAlertButASuspectedOneDoes() throws Exception {
    ingest(new FleetReports.Host("phys-pc-01").ip("10.20.3.1"), Duration.ofMinutes(5));
    FleetReports.Host mailer = new FleetReports.Host("phys-pc-02").ip("10.20.3.2").mailing("WinkQZRT.exe", "C:\\WINDOWS\\SYSTEM32\\WinkQZRT.exe");
    ingest(mailer, Duration.ofMinutes(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() == 1);
    alerts.flush();
    assertThat(posted).hasSize(1);
    assertThat(new ObjectMapper().readTree(posted.get(0)).get("hostname").asText()).isEqualTo("phys-pc-02");
    assertThat(new ObjectMapper().readTree(posted.get(0)).get("verdict").asText()).isEqualTo("SUSPECTED");
  }

  @Test
  void twoHostsReportingOneAddressRaiseAnAddressConflictAlertOnce() throws Exception {
    FleetReports.Host linda = new FleetReports.Host("phys-pc-07").ip("10.20.3.20");
    FleetReports.Host liar = new FleetReports.Host("phys-pc-12").ip("10.20.3.20");
    ingest(linda, Duration.ofMinutes(20));
    ingest(liar, Duration.ofMinutes(10));
    ingest(linda, Duration.ofMinutes(1));

    await().atMost(Duration.ofSeconds(10)).until(() -> posted.size() >= 2);
    verdicts.recomputeAll();
    alerts.flush();
    List<JsonNode> bodies = new ArrayList<>();
    for (String p : posted) {
      bodies.add(new ObjectMapper().readTree(p));
    }
    assertThat(bodies).allSatisfy(b -> {
      assertThat(b.get("event").asText()).isEqualTo("address-conflict");
      assertThat(b.get("reasons").get(0).get("code").asText()).isEqualTo("address-conflict");
      assertThat(b.get("reasons").get(0).get("text").asText()).startsWith("10.20.3.20 is claimed by ");
    });
    assertThat(bodies).extracting(b -> b.get("hostId").asText()).containsExactlyInAnyOrder(linda.hostId(), liar.hostId());
  }
}
