package io.labscan.controller.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyslogSinkTest {
  @TempDir Path dir;
  static final SyslogMessage FORMAT = new SyslogMessage("controller-1");

  static Alert alert(String hostname, Verdict verdict, String reason) {
    return new Alert("3c41a2ed-eb93-4b3e-8ae4-78e3a758230b", hostname, verdict,
        Instant.parse("2026-11-27T10:32:11.250Z"), List.of(new Reason("artifact", reason, "report r-1")));
  }

  @Test
  void infectedIsLocal0CriticalWithStructuredData() {
    String line = new String(FORMAT.format(alert("phys-pc-17", Verdict.INFECTED, "Infection artifact")),
        StandardCharsets.UTF_8);
    assertThat(line).startsWith("<130>1 2026-11-27T10:32:11.250Z controller-1 labscan-controller ")
        .contains(" verdict [labscan@32473 hostId=\"3c41a2ed-eb93-4b3e-8ae4-78e3a758230b\" "
            + "hostname=\"phys-pc-17\" verdict=\"INFECTED\"] \uFEFFHost phys-pc-17");
  }

  @Test
  void suspectedIsAWarning() {
    assertThat(new String(FORMAT.format(alert("pc", Verdict.SUSPECTED, "egress")), StandardCharsets.UTF_8))
        .startsWith("<132>1 ");
  }

  @Test
  void aHostileHostnameCannotBreakTheStructuredDataOrForgeALine() {
    String line = new String(FORMAT.format(alert("pc\"] [evil x=\"1\\\n<14>1 forged", Verdict.INFECTED,
        "artifact\r\n<14>1 2026-01-01T00:00:00Z x forged")), StandardCharsets.UTF_8);
    assertThat(line).doesNotContain("\n").doesNotContain("\r");
    assertThat(line).contains("hostname=\"pc\\\"\\] [evil x=\\\"1\\\\?<14>1 forged\"");
  }

  @Test
  void longMessagesAreCutAt2048BytesWithoutSplittingACharacter() {
    byte[] bytes = FORMAT.format(alert("pc", Verdict.INFECTED, "é".repeat(3000)));
    assertThat(bytes.length).isLessThanOrEqualTo(SyslogMessage.MAX_BYTES);
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\uFFFD").endsWith("é");
  }

  @Test
  void tcpUsesOctetCountingFraming() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          return new String(new DataInputStream(in).readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      SyslogSink.parse("tcp://127.0.0.1:" + server.getLocalPort(), FORMAT)
          .send(alert("phys-pc-17", Verdict.INFECTED, "artifact"));
      String frame = received.get(10, TimeUnit.SECONDS);
      int space = frame.indexOf(' ');
      int length = Integer.parseInt(frame.substring(0, space));
      assertThat(frame.substring(space + 1).getBytes(StandardCharsets.UTF_8)).hasSize(length);
      assertThat(frame.substring(space + 1)).startsWith("<130>1 ");
    }
  }

  @Test
  void aFileTargetAppendsOneLinePerAlert() throws Exception {
    Path log = dir.resolve("alerts.log");
    SyslogSink sink = SyslogSink.parse("file:" + log, FORMAT);
    sink.send(alert("pc-1", Verdict.INFECTED, "a"));
    sink.send(alert("pc-2", Verdict.SUSPECTED, "b"));
    assertThat(Files.readAllLines(log, StandardCharsets.UTF_8)).hasSize(2)
        .satisfies(lines -> assertThat(lines.get(1)).contains("hostname=\"pc-2\""));
  }

  @Test
  void targetsParse() {
    assertThat(SyslogSink.parse("logs.example.edu:514", FORMAT).transport()).isEqualTo(SyslogSink.Transport.UDP);
    assertThat(SyslogSink.parse("udp://[::1]:514", FORMAT).describe()).isEqualTo("syslog udp://::1:514");
    assertThat(SyslogSink.parse("tcp://logs:6514", FORMAT).transport()).isEqualTo(SyslogSink.Transport.TCP);
    assertThatThrownBy(() -> SyslogSink.parse("logs.example.edu", FORMAT)).hasMessageContaining("HOST:PORT");
    assertThatThrownBy(() -> SyslogSink.parse("tcp://logs:99999", FORMAT)).hasMessageContaining("1-65535");
  }

  @Test
  void aWebhookMustBeHttp() {
    assertThatThrownBy(() -> new WebhookSink(java.net.URI.create("file:///etc/passwd")))
        .hasMessageContaining("http://");
  }

}
