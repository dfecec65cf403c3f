package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.transport.ControllerClient;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.contract.transport.Unavailability;
import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.TestReports;
import io.labscan.controller.store.StoreException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: a controller whose database cannot be reached says so in the trailer
 * {@code labscan-unavailable: database} of its UNAVAILABLE answer ({@link Unavailability}), so the
 * agent keeps it instead of failing over; any other store trouble stays a plain UNAVAILABLE. Real
 * gRPC over a loopback socket; the store's failure is the daily quota's read, as on a controller an
 * agent reports to for the first time today (ReportWhileTheStoreIsDownTest).
 */
class DatabaseUnreachableAnswerTest {
  @TempDir Path dir;
  private Controller controller;
  private final List<Server> servers = new ArrayList<>();
  private final List<ControllerClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    controller = Controller.open(ControllerConfig.builder(dir.resolve("c.db")).clock(Clock.systemUTC()).build());
  }

  @AfterEach
  void stop() {
    clients.forEach(ControllerClient::close);
    servers.forEach(Server::shutdownNow);
    controller.close();
  }

  /** A client of a controller whose store fails every quota read with {@code failure}. */
  private ControllerClient controllerWhoseStoreFails(StoreException failure) throws Exception {
    DailyQuota quota = new DailyQuota(DailyQuota.DEFAULT_BYTES, controller.clock(), (host, since) -> {
      throw failure;
    });
    Server grpc = GrpcServers.plaintext("127.0.0.1", 0, List.of(new AgentServiceImpl(controller.store(),
        controller.ingestor(), controller.policies(), new CommandHub(), controller.clock(),
        new RateLimiter(RateLimiter.Rate.reportDefault()), Optional.empty(), quota)));
    servers.add(grpc);
    ControllerClient client = new ControllerClient(GrpcChannels.forController("127.0.0.1:" + grpc.getPort(), true));
    clients.add(client);
    return client;
  }

  @Test
  void aReportRefusedBecauseTheDatabaseIsUnreachableCarriesTheDatabaseTrailer() throws Exception {
    ControllerClient client = controllerWhoseStoreFails(StoreException.unreachable(
        "The database cannot be reached (no connection: Connection to db.example.edu:5432 refused)"));

    assertThatThrownBy(() -> client.report(TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("cannot store right now", "cannot be reached");
          assertThat(e.getTrailers().get(DatabaseUnavailability.KEY)).isEqualTo(Unavailability.DATABASE);
          assertThat(DatabaseUnavailability.reason(e)).contains(Unavailability.DATABASE);
        });
    assertThat(controller.store().reportCount()).isZero();
  }

  @Test
  void otherStoreTroubleIsAPlainUnavailableWithoutTheTrailer() throws Exception {
    ControllerClient client = controllerWhoseStoreFails(new StoreException(
        "The store's write queue is full (50000 pending writes); try again later."));

    assertThatThrownBy(() -> client.report(TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", Instant.now(), 1)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(DatabaseUnavailability.reason(e)).isEmpty();
        });
  }
}
