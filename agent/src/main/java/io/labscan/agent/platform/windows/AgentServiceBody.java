package io.labscan.agent.platform.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.AgentEnrolment;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.config.ScanMode;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** The agent as a service body: read agent.yaml, start the runtime the way `run` does. */
public final class AgentServiceBody implements ServiceBody {
  private final Path configFile;
  private final Function<AgentConfig, AutoCloseable> starter;

  /** Starts an {@link AgentRuntime} for the configuration in {@code configFile}. */
  public AgentServiceBody(Path configFile) {
    this(configFile, EnrollingStart::new);
  }

  AgentServiceBody(Path configFile, Function<AgentConfig, AutoCloseable> starter) {
    this.configFile = requireNonNull(configFile, "configFile");
    this.starter = requireNonNull(starter, "starter");
  }

  @Override
  public AutoCloseable start() throws ServiceStartException {
    AgentConfig config;
    try {
      config = ConfigLoader.load(configFile);
    } catch (ConfigLoader.ConfigException e) {
      throw new ServiceStartException(e.getMessage(), 2, e);
    }
    if (config.controller().filter(s -> !s.isBlank()).isEmpty()) {
      throw new ServiceStartException("no controller address; set 'controller: HOST:PORT' in " + configFile
          + " (install.ps1 -Controller writes it)", 2, null);
    }
    try {
      return starter.apply(config);
    } catch (RuntimeException e) {
      throw new ServiceStartException("the agent did not start: " + e.getMessage(), 1, e);
    }
  }

  /**
   * Enrols when the machine has a token but no certificate (retrying while the controller is
   * unreachable), then runs the agent, all on its own thread: the service control manager
   * expects a service to report RUNNING within seconds, and a lab may boot before its
   * controller.
   */
  static final class EnrollingStart implements AutoCloseable {
    private final Thread thread;
    private volatile @Nullable AgentRuntime runtime;
    private volatile boolean closed;

    EnrollingStart(AgentConfig config) {
      thread = new Thread(() -> run(config), "labscan-service-start");
      thread.setDaemon(true);
      thread.start();
    }

    private void run(AgentConfig config) {
      try {
        if (!config.insecure() && !AgentCredentials.present(config.stateDir())) {
          java.util.Optional<String> target = config.enrolmentTarget();
          if (config.token().isEmpty() || target.isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(AgentServiceBody.class).error(
                "This machine is not enrolled and the config has no token; run 'labscan-agent enroll'.");
            return;
          }
          AgentEnrolment.untilDone(config, config.token().get(), target.get());
        }
        synchronized (this) {
          if (!closed) {
            runtime = AgentRuntime.builder(config, Clock.systemUTC()).scanMode(ScanMode.WORKER_PROCESS).start();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(AgentServiceBody.class).error("Agent did not start: {}", e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      synchronized (this) {
        closed = true;
        if (runtime != null) {
          runtime.close();
        }
      }
      thread.interrupt();
    }
  }
}
