package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 (MultiControllerFaultIT): while the shared database is down, an agent that fails over
 * to a controller it has not reported to today makes that controller read the host's stored
 * bytes for the daily quota first. That read fails; the agent must hear UNAVAILABLE (keep the
 * report, retry, fail over) and never UNKNOWN. Real gRPC over a loopback socket.
 */
class ReportWhileTheStoreIsDownTest {
  @TempDir Path dir;
  private Controller controller;
  private Server grpc;
  private ControllerClient client;

  @BeforeEach
  void start() {
    controller = Controller.open(ControllerConfig.builder(dir.resolve("c.db")).clock(Clock.systemUTC()).build());
    DailyQuota quotaOnADeadDatabase = new DailyQuota(DailyQuota.DEFAULT_BYTES, controller.clock(), (host, since) -> {
      throw new StoreException("No connection to postgresql://db.example.edu/labscan: Connection refused");
    });
    grpc = GrpcServers.plaintext("127.0.0.1", 0, List.of(new AgentServiceImpl(controller.store(),
        controller.ingestor(), controller.policies(), new CommandHub(), controller.clock(),
        new RateLimiter(RateLimiter.Rate.reportDefault()), Optional.empty(), quotaOnADeadDatabase)));
    client = new ControllerClient(GrpcChannels.forController("127.0.0.1:" + grpc.getPort(), true));
  }

  @AfterEach
  void stop() {
    client.close();
    grpc.shutdownNow();
    controller.close();
  }

  @Test
  void aReportWhoseQuotaCannotBeReadIsRefusedUnavailableAndNothingIsStored() {
    assertThatThrownBy(() -> client.report(TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(),
        1)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("cannot store right now", "Connection refused");
        });
    assertThat(controller.store().reportCount()).isZero();
  }
}
