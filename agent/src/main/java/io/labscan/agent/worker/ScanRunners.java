package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ScanMode;
import io.labscan.agent.platform.services.PlatformServices;
import java.time.Clock;
import java.util.List;

/** Picks the {@link ScanRunner} for a {@link ScanMode}. */
public final class ScanRunners {
  private ScanRunners() {}

  /** Makes an agent's scan runner once its host id is known. */
  @FunctionalInterface
  public interface Factory {
    ScanRunner create(String hostId, AgentConfig config, Clock clock);
  }

  public static Factory forMode(ScanMode mode) {
    requireNonNull(mode, "mode");
    return switch (mode) {
      case IN_PROCESS -> (hostId, config, clock) ->
          new InProcessScanRunner(hostId, config.lab(), config.scanRoot(), config.stateDir(), clock);
      case WORKER_PROCESS -> (hostId, config, clock) ->
          // The service's runner: the change journal lives here, in the long-lived daemon, and
          // each worker gets a snapshot of it (IN_PROCESS is for tests and embedding: no journal).
          new WorkerProcessScanRunner(hostId, config.lab(), config.scanRoot(), config.stateDir(),
              WorkerCommandLine.ofThisJvm(), WorkerProcessScanRunner.DEFAULT_TIMEOUT,
              PlatformServices.current().changeJournal(List.of(config.scanRoot())));
    };
  }
}
