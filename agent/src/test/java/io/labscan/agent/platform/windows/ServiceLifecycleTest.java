package io.labscan.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.Winsvc;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Windows service state machine against a recording stand-in for SetServiceStatus: control
 * codes in, status reports out, as the service control manager would see them.
 */
class ServiceLifecycleTest {
  private final List<ServiceStatus> reports = new CopyOnWriteArrayList<>();
  private final AtomicInteger starts = new AtomicInteger();
  private final AtomicInteger closes = new AtomicInteger();
  private final ServiceBody agent = exit -> {
    starts.incrementAndGet();
    return closes::incrementAndGet;
  };
  private CompletableFuture<Integer> serviceMain;

  @AfterEach
  void stopTheServiceThread() {
    if (serviceMain != null && !serviceMain.isDone()) {
      serviceMain.cancel(true);
    }
  }

  /** Runs ServiceMain on its own thread, as Windows does, and waits until it reports RUNNING. */
  private ServiceLifecycle startedService(ServiceBody body) {
    ServiceLifecycle lifecycle = new ServiceLifecycle(reports::add, body);
    serviceMain = CompletableFuture.supplyAsync(() -> {
      try {
        return lifecycle.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.current().state() != ServiceState.START_PENDING
        && !reports.isEmpty());
    return lifecycle;
  }

  private List<ServiceState> states() {
    return reports.stream().map(ServiceStatus::state).toList();
  }

  @Test
  void reportsStartPendingThenRunningOnceTheAgentStarted() {
    startedService(agent);

    assertThat(states()).containsExactly(ServiceState.START_PENDING, ServiceState.RUNNING);
    assertThat(starts).hasValue(1);
  }

  @Test
  void acceptsStopAndShutdownOnlyWhileRunning() {
    startedService(agent);

    assertThat(reports.get(0).controlsAccepted()).as("while start is pending").isZero();
    assertThat(reports.get(1).controlsAccepted())
        .isEqualTo(Winsvc.SERVICE_ACCEPT_STOP | Winsvc.SERVICE_ACCEPT_SHUTDOWN);
  }

  @Test
  void pendingReportsCarryACheckpointAndAWaitHintSteadyOnesDoNot() {
    startedService(agent);

    assertThat(reports.get(0).checkPoint()).isEqualTo(1);
    assertThat(reports.get(0).waitHint()).isEqualTo(ServiceLifecycle.START_WAIT_HINT);
    assertThat(reports.get(1).checkPoint()).isZero();
    assertThat(reports.get(1).waitHint()).isEqualTo(Duration.ZERO);
  }

  @Test
  void stopReportsStopPendingClosesTheAgentAndReportsStoppedLast() {
    ServiceLifecycle service = startedService(agent);

    assertThat(service.onControl(Winsvc.SERVICE_CONTROL_STOP)).isEqualTo(WinError.NO_ERROR);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(0);
    assertThat(states()).containsExactly(
        ServiceState.START_PENDING, ServiceState.RUNNING, ServiceState.STOP_PENDING, ServiceState.STOPPED);
    assertThat(closes).hasValue(1);
    assertThat(reports.get(3).win32ExitCode()).isEqualTo(WinError.NO_ERROR);
  }

  @Test
  void systemShutdownStopsTheAgentLikeStop() {
    ServiceLifecycle service = startedService(agent);

    assertThat(service.onControl(Winsvc.SERVICE_CONTROL_SHUTDOWN)).isEqualTo(WinError.NO_ERROR);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(0);
    assertThat(states()).endsWith(ServiceState.STOP_PENDING, ServiceState.STOPPED);
    assertThat(closes).hasValue(1);
  }

  @Test
  void aSecondStopWhileStoppingClosesTheAgentOnlyOnce() {
    ServiceLifecycle service = startedService(agent);

    service.onControl(Winsvc.SERVICE_CONTROL_STOP);
    assertThat(service.onControl(Winsvc.SERVICE_CONTROL_STOP)).isEqualTo(WinError.NO_ERROR);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10));
    assertThat(closes).hasValue(1);
    assertThat(states()).containsOnlyOnce(ServiceState.STOPPED);
  }

  @Test
  void interrogateReportsTheCurrentStatusAgain() {
    ServiceLifecycle service = startedService(agent);

    assertThat(service.onControl(Winsvc.SERVICE_CONTROL_INTERROGATE)).isEqualTo(WinError.NO_ERROR);

    assertThat(states()).containsExactly(ServiceState.START_PENDING, ServiceState.RUNNING, ServiceState.RUNNING);
  }

  @Test
  void pauseContinueAndOtherControlsAreNotImplementedAndChangeNothing() {
    ServiceLifecycle service = startedService(agent);

    for (int control : new int[] {Winsvc.SERVICE_CONTROL_PAUSE, Winsvc.SERVICE_CONTROL_CONTINUE,
        Winsvc.SERVICE_CONTROL_PARAMCHANGE, Winsvc.SERVICE_CONTROL_SESSIONCHANGE, 0x1234}) {
      assertThat(service.onControl(control)).as("control %d", control).isEqualTo(WinError.ERROR_CALL_NOT_IMPLEMENTED);
    }
    assertThat(states()).containsExactly(ServiceState.START_PENDING, ServiceState.RUNNING);
    assertThat(serviceMain).isNotDone();
  }

  @Test
  void aConfigurationErrorStopsTheServiceWithServiceSpecificExitCode2() {
    ServiceBody broken = exit -> {
      throw new ServiceBody.ServiceStartException("Config file agent.yaml: unknown key 'controler'", 2, null);
    };

    startedService(broken);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(2);
    assertThat(states()).containsExactly(ServiceState.START_PENDING, ServiceState.STOPPED);
    ServiceStatus stopped = reports.get(1);
    assertThat(stopped.win32ExitCode()).isEqualTo(WinError.ERROR_SERVICE_SPECIFIC_ERROR);
    assertThat(stopped.serviceExitCode()).isEqualTo(2);
  }

  @Test
  void anUnexpectedStartFailureStopsTheServiceWithExitCode1SoRecoveryActionsRestartIt() {
    startedService(exit -> {
      throw new IllegalStateException("spool.db is locked");
    });

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1);
    assertThat(reports.get(reports.size() - 1))
        .isEqualTo(new ServiceStatus(ServiceState.STOPPED, 0, WinError.ERROR_SERVICE_SPECIFIC_ERROR, 1, 0, Duration.ZERO));
  }

  @Test
  void anAgentThatFailsToCloseIsStillReportedStoppedWithAnError() {
    ServiceLifecycle service = startedService(exit -> () -> {
      throw new java.io.IOException("spool.db: disk I/O error");
    });

    service.onControl(Winsvc.SERVICE_CONTROL_STOP);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1);
    assertThat(states()).last().isEqualTo(ServiceState.STOPPED);
    assertThat(reports.get(reports.size() - 1).serviceExitCode()).isEqualTo(1);
  }

  @Test
  void aStopThatArrivesWhileStartingIsHonouredOnceTheAgentIsUp() {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ServiceLifecycle lifecycle = new ServiceLifecycle(reports::add, exit -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return closes::incrementAndGet;
    });
    serviceMain = CompletableFuture.supplyAsync(() -> {
      try {
        return lifecycle.run();
      } catch (InterruptedException e) {
        return -1;
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> !reports.isEmpty());

    assertThat(lifecycle.onControl(Winsvc.SERVICE_CONTROL_SHUTDOWN)).isEqualTo(WinError.NO_ERROR);
    release.countDown();

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(0);
    assertThat(states()).containsExactly(
        ServiceState.START_PENDING, ServiceState.RUNNING, ServiceState.STOP_PENDING, ServiceState.STOPPED);
    assertThat(closes).hasValue(1);
  }

  /** A body that keeps the exit it was given, so a test can act as the agent's self-watch. */
  private final java.util.concurrent.atomic.AtomicReference<ServiceExit> exitGiven =
      new java.util.concurrent.atomic.AtomicReference<>();
  /** How many times the body had been closed when STOPPED was reported (it must be closed first). */
  private final AtomicInteger closesWhenStopped = new AtomicInteger(-1);

  private ServiceLifecycle startedSelfStoppingService() {
    ServiceLifecycle lifecycle = new ServiceLifecycle(status -> {
      if (status.state() == ServiceState.STOPPED) {
        closesWhenStopped.set(closes.get());
      }
      reports.add(status);
    }, exit -> {
      exitGiven.set(exit);
      return closes::incrementAndGet;
    });
    serviceMain = CompletableFuture.supplyAsync(() -> {
      try {
        return lifecycle.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.current().state() == ServiceState.RUNNING);
    return lifecycle;
  }

  @Test
  void anAgentThatStopsItselfForMemoryIsClosedThenReportedStoppedWithServiceSpecificExitCode75() {
    startedSelfStoppingService();

    exitGiven.get().stopWith(io.labscan.agent.selfwatch.SelfWatch.EXIT_RESTART_FOR_MEMORY);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(75);
    assertThat(states()).containsExactly(
        ServiceState.START_PENDING, ServiceState.RUNNING, ServiceState.STOP_PENDING, ServiceState.STOPPED);
    assertThat(closesWhenStopped).as("the agent (spool, egress window) was closed before STOPPED").hasValue(1);
    assertThat(reports.get(3)).as("a failure the SCM's recovery actions restart (failureflag 1)")
        .isEqualTo(new ServiceStatus(ServiceState.STOPPED, 0, WinError.ERROR_SERVICE_SPECIFIC_ERROR, 75, 0,
            Duration.ZERO));
  }

  @Test
  void aStopFromTheScmWhileTheAgentStopsItselfKeepsTheFailureExitSoTheServiceIsStillRestarted() {
    ServiceLifecycle service = startedSelfStoppingService();

    exitGiven.get().stopWith(75);
    assertThat(service.onControl(Winsvc.SERVICE_CONTROL_STOP)).isEqualTo(WinError.NO_ERROR);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(75);
    assertThat(closes).hasValue(1);
    assertThat(states()).containsOnlyOnce(ServiceState.STOPPED);
  }

  @Test
  void anAgentAskingToRestartAfterTheOperatorsStopIsStoppedCleanlyAndNotRestarted() {
    ServiceLifecycle service = startedSelfStoppingService();

    service.onControl(Winsvc.SERVICE_CONTROL_STOP);
    exitGiven.get().stopWith(75);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(0);
    assertThat(reports.get(reports.size() - 1).win32ExitCode()).isEqualTo(WinError.NO_ERROR);
    assertThat(closes).hasValue(1);
  }

  @Test
  void anAgentThatStopsItselfButFailsToCloseIsReportedWithExitCode1WhichIsRestartedToo() {
    ServiceLifecycle lifecycle = new ServiceLifecycle(reports::add, exit -> {
      exitGiven.set(exit);
      return () -> {
        throw new java.io.IOException("spool.db: disk I/O error");
      };
    });
    serviceMain = CompletableFuture.supplyAsync(() -> {
      try {
        return lifecycle.run();
      } catch (InterruptedException e) {
        return -1;
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.current().state() == ServiceState.RUNNING);

    exitGiven.get().stopWith(75);

    assertThat(serviceMain).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1);
    assertThat(reports.get(reports.size() - 1).win32ExitCode()).isEqualTo(WinError.ERROR_SERVICE_SPECIFIC_ERROR);
  }
}
