package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.config.AgentConfig;
import java.time.Clock;

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
          new WorkerProcessScanRunner(hostId, config.lab(), config.scanRoot(), config.stateDir(),
              WorkerCommandLine.ofThisJvm(), WorkerProcessScanRunner.DEFAULT_TIMEOUT);
    };
  }
}
