package io.labscan.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.platform.Platform;
import io.labscan.agent.platform.services.PlatformServices;
import io.labscan.agent.selfwatch.RestartLedger;
import io.labscan.agent.selfwatch.SelfUsage;
import io.labscan.agent.selfwatch.SelfWatch;
import io.labscan.agent.transport.Spool;
import io.labscan.testsupport.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Windows service path of a restart for memory with the real agent runtime inside the
 * service state machine (only SetServiceStatus is a recording stand-in, and the meter scripted):
 * the runtime, over its budget for five readings, asks to restart; the service closes it and
 * reports STOPPED with service-specific exit code 75 for the SCM's recovery actions, with the
 * spool intact on disk and the restart recorded for the next process. The controller is a closed
 * port, so the spooled report cannot leave: it must still be there after the restart. The
 * platform is "another operating system" so no firewall or egress watch of the test machine is
 * touched (the path under test is the same on every platform).
 */
class ServiceRestartForMemoryTest {
  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;
  private final List<ServiceStatus> reports = new CopyOnWriteArrayList<>();
  private final AtomicReference<AgentRuntime> runtime = new AtomicReference<>();
  private CompletableFuture<Integer> serviceMain;

  @AfterEach
  void stop() {
    if (runtime.get() != null) {
      runtime.get().close();
    }
    if (serviceMain != null && !serviceMain.isDone()) {
      serviceMain.cancel(true);
    }
  }

  @Test
  void anAgentServiceOverItsMemoryBudgetStopsWithExitCode75KeepingItsSpoolAndRecordingTheRestart()
      throws Exception {
    Path state = dir.resolve("state");
    Files.createDirectories(dir.resolve("root"));
    AgentConfig config = AgentConfig.defaults().withStateDir(state).withScanRoot(dir.resolve("root"))
        .withController("127.0.0.1:1", true);
    // The meter moves the clock a minute per reading, so the five minutes over budget pass at once.
    MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));
    AtomicBoolean leaking = new AtomicBoolean();
    ServiceBody body = exit -> {
      AgentRuntime agent = AgentRuntime.builder(config, clock)
          .platform(PlatformServices.of(Platform.OTHER))
          .selfUsage(() -> {
            clock.advance(Duration.ofMinutes(1));
            long rss = leaking.get() ? 200 * MIB : 60 * MIB;
            return new SelfUsage(rss, OptionalLong.empty(), OptionalLong.empty(), Duration.ZERO, 20);
          })
          .selfWatchPeriod(Duration.ofMillis(100))
          .onSelfRestart(AgentServiceBody.EnrollingStart.restartForMemory(exit))
          .start();
      runtime.set(agent);
      return agent;
    };
    ServiceLifecycle lifecycle = new ServiceLifecycle(reports::add, body);
    serviceMain = CompletableFuture.supplyAsync(() -> {
      try {
        return lifecycle.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    });
    // The inventory report of the start is spooled and cannot be delivered (nobody listens).
    await().atMost(Duration.ofSeconds(30)).until(() -> runtime.get() != null && runtime.get().spooledReports() >= 1);
    long spooled = runtime.get().spooledReports();

    leaking.set(true);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(60)).isEqualTo(SelfWatch.EXIT_RESTART_FOR_MEMORY);
    assertThat(reports.stream().map(ServiceStatus::state).toList()).containsExactly(
        ServiceState.START_PENDING, ServiceState.RUNNING, ServiceState.STOP_PENDING, ServiceState.STOPPED);
    ServiceStatus stopped = reports.get(reports.size() - 1);
    assertThat(stopped.win32ExitCode()).isEqualTo(com.sun.jna.platform.win32.WinError.ERROR_SERVICE_SPECIFIC_ERROR);
    assertThat(stopped.serviceExitCode()).isEqualTo(75);
    assertThat(new RestartLedger(state).read()).as("the next process backs off and reports it").hasSize(1);
    try (Spool spool = Spool.open(state)) {
      assertThat(spool.size()).as("reports spooled before the restart are still on disk").isGreaterThanOrEqualTo(spooled);
    }
  }
}
