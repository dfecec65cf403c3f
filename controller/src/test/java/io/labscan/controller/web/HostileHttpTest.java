package io.labscan.controller.web;

import io.labscan.controller.fleet.Cidr;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anonymous, hostile HTTP against a real web server (Jetty on a loopback socket): oversized and
 * endless bodies, forged Host names, concurrent password guessing.
 */
class HostileHttpTest {
  private static final int TEN_MB = 10 * 1024 * 1024;
  @TempDir Path dir;
  private DashboardFixture fixture;
  private RawHttp http;

  @BeforeEach
  void start() throws Exception {
    fixture = new DashboardFixture(dir);
    http = new RawHttp(fixture.web.port());
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private String host() {
    return "Host: 127.0.0.1:" + fixture.web.port();
  }

  @Test
  void aLoginBodyDeclaredLargerThanTheLoginLimitIsRefusedWith413() throws Exception {
    RawHttp.Response r = http.send("POST /api/v1/session HTTP/1.1\r\n" + host()
        + "\r\nContent-Type: application/json\r\nContent-Length: " + TEN_MB, new byte[TEN_MB]);

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).contains(Integer.toString(HttpGuard.LOGIN_BODY_BYTES));
  }

  @Test
  void aChunkedLoginBodyWithoutALengthIsCutOffAtTheLoginLimit() throws Exception {
    RawHttp.Response r = http.sendChunked("POST /api/v1/session HTTP/1.1\r\n" + host()
        + "\r\nContent-Type: application/json", 256L * 1024 * 1024);

    // Far more than the heap would hold if the body were buffered before the limit applied.
    assertThat(r.status()).isEqualTo(413);
  }

  @Test
  void anAnonymousTriageUploadIsRefusedBeforeItsBodyIsRead() throws Exception {
    RawHttp.Response r = http.sendChunked("POST /api/v1/triage HTTP/1.1\r\n" + host()
        + "\r\nContent-Type: message/rfc822", TEN_MB);

    assertThat(r.status()).isEqualTo(401);
    assertThat(fixture.triaged).isEmpty();
  }

  @Test
  void anAdminsChunkedUploadOverTheTriageCapIs413AndIsNotTriaged() throws Exception {
    ApiClient admin = new ApiClient(fixture.base()).loggedIn(DashboardFixture.ADMIN, DashboardFixture.PASSWORD);
    String cookie = admin.cookie();

    RawHttp.Response r = http.sendChunked("POST /api/v1/triage HTTP/1.1\r\n" + host()
        + "\r\nContent-Type: message/rfc822\r\nCookie: " + cookie + "\r\nX-CSRF-Token: " + admin.csrf(),
        TriageRunner.MAX_MESSAGE_BYTES + 1024 * 1024);

    assertThat(r.status()).isEqualTo(413);
    assertThat(fixture.triaged).isEmpty();
  }

  @Test
  void manyConcurrentOversizedLoginsAreAllRefusedAndTheServerKeepsAnswering() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<RawHttp.Response>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        answers.add(pool.submit(() -> http.sendChunked("POST /api/v1/session HTTP/1.1\r\n" + host()
            + "\r\nContent-Type: application/json", TEN_MB)));
      }
      for (Future<RawHttp.Response> a : answers) {
        assertThat(a.get().status()).isEqualTo(413);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(http.send("GET /healthz HTTP/1.1\r\n" + host(), new byte[0]).status()).isEqualTo(200);
  }

  @Test
  void aRequestNamingAnUnknownHostIsRefusedWith421() throws Exception {
    RawHttp.Response r = http.send("GET /login HTTP/1.1\r\nHost: rebind.attacker.example:" + fixture.web.port(),
        new byte[0]);

    assertThat(r.status()).isEqualTo(421);
    assertThat(r.body()).contains("--http-host");
  }

  @Test
  void loopbackNamesAndAddressLiteralsAreAnswered() throws Exception {
    int port = fixture.web.port();
    for (String name : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "127.0.0.1")) {
      assertThat(http.send("GET /healthz HTTP/1.1\r\nHost: " + name, new byte[0]).status()).as(name).isEqualTo(200);
    }
  }

  @Test
  void concurrentWrongPasswordsGet429WhileTheRightPasswordFromAnotherAddressLogsIn() throws Exception {
    int guesses = 24;
    byte[] wrong = ("{\"username\":\"" + DashboardFixture.ADMIN + "\",\"password\":\"guess\"}")
        .getBytes(StandardCharsets.UTF_8);
    ExecutorService pool = Executors.newFixedThreadPool(guesses);
    CountDownLatch go = new CountDownLatch(1);
    List<Integer> statuses = new ArrayList<>();
    try {
      List<Future<RawHttp.Response>> answers = new ArrayList<>();
      for (int i = 0; i < guesses; i++) {
        answers.add(pool.submit(() -> {
          go.await();
          return http.send("POST /api/v1/session HTTP/1.1\r\n" + host()
              + "\r\nContent-Type: application/json\r\nContent-Length: " + wrong.length, wrong);
        }));
      }
      go.countDown();
      for (Future<RawHttp.Response> a : answers) {
        statuses.add(a.get().status());
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(statuses).containsOnly(401, 429);
    assertThat(statuses.stream().filter(s -> s == 401).count()).isLessThanOrEqualTo(LoginThrottle.MAX_FAILURES);
    // Concurrent guesses beyond the in-flight limit are refused without a password check, so the
    // burst may have counted fewer than MAX_FAILURES failures; the address is locked out once it
    // has, and stays locked out.
    long failures = statuses.stream().filter(st -> st == 401).count();
    int status = 0;
    for (long i = failures; i <= LoginThrottle.MAX_FAILURES && status != 429; i++) {
      status = http.send("POST /api/v1/session HTTP/1.1\r\n" + host() + "\r\nContent-Type: application/json"
          + "\r\nContent-Length: " + wrong.length, wrong).status();
    }
    assertThat(status).as("the guessing address is locked out after at most " + LoginThrottle.MAX_FAILURES
        + " failures").isEqualTo(429);
    assertThat(http.send("POST /api/v1/session HTTP/1.1\r\n" + host() + "\r\nContent-Type: application/json"
            + "\r\nContent-Length: " + wrong.length, wrong).status())
        .as("the guessing address stays locked out").isEqualTo(429);

    byte[] right = ("{\"username\":\"" + DashboardFixture.ADMIN + "\",\"password\":\"" + DashboardFixture.PASSWORD
        + "\"}").getBytes(StandardCharsets.UTF_8);
    RawHttp.Response owner = new RawHttp(fixture.web.port(), "127.0.0.2").send("POST /api/v1/session HTTP/1.1\r\n"
        + host() + "\r\nContent-Type: application/json\r\nContent-Length: " + right.length, right);
    assertThat(owner.status()).isEqualTo(200);
  }

  @Test
  void behindATrustedProxyTheClientIsTheRightMostForwardedAddressThatIsNotAProxy() {
    HttpGuard guard = new HttpGuard(List.of(), List.of(Cidr.parse("10.9.0.0/24")));

    assertThat(guard.clientAddress("10.9.0.2", List.of("6.6.6.6, 192.0.2.44, 10.9.0.3"))).isEqualTo("192.0.2.44");
    assertThat(guard.clientAddress("192.0.2.80", List.of("1.2.3.4"))).as("not from the proxy").isEqualTo("192.0.2.80");
    assertThat(guard.clientAddress("10.9.0.2", List.of("not-an-address")))
        .as("junk is never taken for the proxy itself").isNotEqualTo("10.9.0.2");
  }

  @Test
  void aClientSendingManyOrUnparseableForwardedEntriesIsNotTakenForTheProxy() {
    HttpGuard guard = new HttpGuard(List.of(), List.of(Cidr.parse("10.9.0.0/24")));
    String flood = "1.1.1.1, ".repeat(100) + "junk";

    assertThat(guard.clientAddress("10.9.0.2", List.of(flood + ", 192.0.2.44"))).isEqualTo("192.0.2.44");
    assertThat(guard.clientAddress("10.9.0.2", List.of("1.1.1.1, ".repeat(100) + "192.0.2.44, 10.9.0.3")))
        .isEqualTo("192.0.2.44");
    // Junk right of a trusted hop: the nearest hop checked, never the peer.
    assertThat(guard.clientAddress("10.9.0.2", List.of("junk, 10.9.0.3"))).isEqualTo("10.9.0.3");
    assertThat(guard.clientAddress("10.9.0.2", List.of(flood))).isNotEqualTo("10.9.0.2");
  }

  @Test
  void aNameAllowedWithHttpHostIsAnsweredAndOthersAreNot() {
    HttpGuard guard = new HttpGuard(List.of("labscan.lab.example.org"), List.of());

    assertThat(guard.hostAllowed("LabScan.lab.example.org:8080")).isTrue();
    assertThat(guard.hostAllowed("labscan.lab.example.org.evil.example")).isFalse();
    assertThat(guard.hostAllowed("app.localhost")).isTrue();
    assertThat(guard.hostAllowed(null)).isFalse();
  }

  @Test
  void theHostViewShowsASkewedClockWhenAReportIsDatedIntoTheFuture() throws Exception {
    String id = io.labscan.controller.TestReports.newHostId();
    java.time.Instant future = java.time.Instant.now().plus(java.time.Duration.ofHours(2));
    fixture.ingest(io.labscan.controller.TestReports.fullScan(id, "lab-pc-07", future, 1, "10.20.3.17"));

    var host = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD)
        .getJson("/api/v1/hosts/" + id);

    assertThat(host.get("clock").get("flagged").asBoolean()).isTrue();
    assertThat(host.get("clock").get("text").asText()).contains("ahead of the controller's clock");
    assertThat(java.time.Instant.parse(host.get("lastSeen").asText())).isBefore(future);
  }

  @Test
  void metricsCarryTheDatabaseSizeAndThePrunedRows() throws Exception {
    String body = new ApiClient(fixture.base()).loggedIn(DashboardFixture.VIEWER, DashboardFixture.PASSWORD)
        .get("/metrics").body();

    assertThat(body).containsPattern("labscan_database_bytes [1-9]")
        .contains("labscan_pruned_rows_total{table=\"reports\"} 7");
  }
}
