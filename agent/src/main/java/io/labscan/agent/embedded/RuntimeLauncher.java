package io.labscan.agent.embedded;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.contract.spi.EmbeddedAgentLauncher;
import io.labscan.proto.v1.Report;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's {@link EmbeddedAgentLauncher}: an {@link AgentRuntime} scanning in this JVM, as
 * the controller's {@code demo} runs it. Found through {@link java.util.ServiceLoader}
 * ({@code META-INF/services}); public with a no-argument constructor for that reason only.
 */
public final class RuntimeLauncher implements EmbeddedAgentLauncher {
  @Override
  public EmbeddedAgent start(Settings settings, Clock clock) {
    requireNonNull(settings, "settings");
    requireNonNull(clock, "clock");
    AgentConfig config = AgentConfig.defaults()
        .withController(settings.controllerTarget(), settings.plaintext())
        .withStateDir(settings.stateDir())
        .withLab(settings.lab())
        .withScanRoot(settings.scanRoot());
    return new Running(AgentRuntime.start(config, clock));
  }

  private record Running(AgentRuntime runtime) implements EmbeddedAgent {
    @Override
    public String hostId() {
      return runtime.hostId();
    }

    @Override
    public Optional<CompletableFuture<Report>> fullScanNow(String trigger) {
      return runtime.scanNow(ScanPlan.full(trigger));
    }

    @Override
    public boolean awaitDelivered(Duration timeout) throws InterruptedException {
      return runtime.awaitDelivered(timeout);
    }

    @Override
    public void close() {
      runtime.close();
    }
  }
}
