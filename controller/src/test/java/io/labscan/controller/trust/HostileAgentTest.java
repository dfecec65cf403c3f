package io.labscan.controller.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.ReportSender;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.TestReports;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.controller.store.HostSummary;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compromised agent with a valid certificate: it cannot fill the disk nor bend the controller's time. */
class HostileAgentTest {
  @TempDir Path dir;
  // The real time (certificates are checked against it too); it moves only when a test says so.
  private final MutableClock clock = new MutableClock(Instant.now());
  private SecureController controller;

  @AfterEach
  void stop() {
    controller.close();
  }

  private void start(long quotaBytes) {
    controller = new SecureController(dir, new ControllerRuntime.Options(dir.resolve("controller.db"), "127.0.0.1", 0,
        false, OptionalInt.empty(), List.of(), RateLimiter.Rate.reportDefault(), quotaBytes), clock);
  }

  private static Report report(String hostId, Instant at, long sequence) {
    return TestReports.fullScan(hostId, "lab-pc-07", at, sequence, "10.20.3.17");
  }

  @Test
  void reportsOverTheHostsDailyQuotaAreRefusedAndTheAgentKeepsThemUntilTheQuotaRenews() throws Exception {
    String probeHost = TestReports.newHostId();
    long oneReport = report(probeHost, clock.instant(), 1).getSerializedSize();
    start(oneReport + oneReport / 2);
    AgentCredentials agent = controller.enrolled("agent");
    String hostId = agent.hostId().orElseThrow();
    try (Spool spool = Spool.open(dir.resolve("agent"));
        ReportSender sender = new ReportSender(spool, controller.mutualTls(agent))) {
      spool.add(report(hostId, clock.instant(), 1));
      spool.add(report(hostId, clock.instant(), 2));
      sender.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> controller.runtime.store().reportCount() == 1);

      assertThatThrownBy(() -> controller.mutualTls(agent).report(report(hostId, clock.instant(), 3)))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains("quota");
          });
      assertThat(spool.size()).as("the refused report stays in the spool").isEqualTo(1);

      clock.advance(Duration.ofDays(1));
      sender.poke();
      await().atMost(Duration.ofSeconds(60)).until(() -> spool.size() == 0);
    }
    assertThat(controller.runtime.store().reportCount()).isEqualTo(2);
  }

  @Test
  void aReportDatedIntoTheFutureMovesNeitherLastSeenNorLastFullScanPastItsArrival() throws Exception {
    start(64L * 1024 * 1024);
    AgentCredentials agent = controller.enrolled("agent");
    String hostId = agent.hostId().orElseThrow();
    Instant arrival = clock.instant();
    Instant claimed = arrival.plus(Duration.ofHours(20));

    controller.mutualTls(agent).report(report(hostId, claimed, 1));

    Storage store = controller.runtime.store();
    HostSummary host = store.host(hostId).orElseThrow();
    assertThat(host.lastSeen()).isBeforeOrEqualTo(arrival);
    assertThat(host.lastFullScan()).hasValueSatisfying(t -> assertThat(t).isBeforeOrEqualTo(arrival));
    io.labscan.controller.store.ClockClaim clockClaim = store.clockClaim(hostId).orElseThrow();
    assertThat(clockClaim.flagged()).isTrue();
    assertThat(clockClaim.skew()).isEqualTo(Duration.ofHours(20));
    assertThat(clockClaim.lastReportClaimed()).hasValue(claimed.truncatedTo(ChronoUnit.MILLIS));
  }

  @Test
  void aHeartbeatFromASlowClockIsFlaggedAndAnAccurateOneClearsTheFlag() throws Exception {
    start(64L * 1024 * 1024);
    AgentCredentials agent = controller.enrolled("agent");
    String hostId = agent.hostId().orElseThrow();
    ControllerClient client = controller.mutualTls(agent);
    Storage store = controller.runtime.store();

    client.heartbeat(HeartbeatRequest.newBuilder().setHostId(hostId)
        .setSent(Timestamps.fromMillis(clock.instant().minus(Duration.ofMinutes(10)).toEpochMilli())).build());
    assertThat(store.clockClaim(hostId).orElseThrow().flagged()).isTrue();
    assertThat(store.host(hostId).orElseThrow().lastSeen()).isEqualTo(clock.instant().truncatedTo(ChronoUnit.MILLIS));

    client.heartbeat(HeartbeatRequest.newBuilder().setHostId(hostId)
        .setSent(Timestamps.fromMillis(clock.instant().toEpochMilli())).build());
    assertThat(store.clockClaim(hostId).orElseThrow().flagged()).isFalse();
  }
}
