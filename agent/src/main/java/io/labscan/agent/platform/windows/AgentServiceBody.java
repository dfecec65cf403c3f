package io.labscan.agent.platform.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.AgentEnrolment;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.config.ScanMode;
import java.nio.file.Path;
import io.labscan.agent.selfwatch.SelfWatch;
import java.time.Clock;
import java.util.function.BiFunction;
import org.jspecify.annotations.Nullable;

/**
 * The agent as a service body: read agent.yaml, start the runtime the way `run` does. A restart
 * for memory ends the service through {@link ServiceExit} with {@link SelfWatch#EXIT_RESTART_FOR_MEMORY}
 * (75, as {@code run} exits under systemd and launchd); the SCM's recovery actions start it again
 * (see {@link ServiceLifecycle} for why that and not a relaunch).
 */
public final class AgentServiceBody implements ServiceBody {
  private final Path configFile;
  private final BiFunction<AgentConfig, ServiceExit, AutoCloseable> starter;

  /** Starts an {@link AgentRuntime} for the configuration in {@code configFile}. */
  public AgentServiceBody(Path configFile) {
    this(configFile, EnrollingStart::new);
  }

  AgentServiceBody(Path configFile, BiFunction<AgentConfig, ServiceExit, AutoCloseable> starter) {
    this.configFile = requireNonNull(configFile, "configFile");
    this.starter = requireNonNull(starter, "starter");
  }

  @Override
  public AutoCloseable start(ServiceExit exit) throws ServiceStartException {
    requireNonNull(exit, "exit");
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
      return starter.apply(config, exit);
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
    /** How a restart for memory ends the service. */
    private final ServiceExit exit;
    private volatile @Nullable AgentRuntime runtime;
    private volatile boolean closed;

    EnrollingStart(AgentConfig config, ServiceExit exit) {
      this.exit = requireNonNull(exit, "exit");
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
            runtime = AgentRuntime.builder(config, Clock.systemUTC()).scanMode(ScanMode.WORKER_PROCESS)
                .onSelfRestart(restartForMemory(exit))
                .start();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(AgentServiceBody.class).error("Agent did not start: {}", e.getMessage(), e);
      }
    }

    /**
     * What the runtime calls (from its serial context) when it must restart for memory: only a
     * signal; the service's own thread closes the runtime, then reports the failure exit.
     */
    static Runnable restartForMemory(ServiceExit exit) {
      requireNonNull(exit, "exit");
      return () -> exit.stopWith(SelfWatch.EXIT_RESTART_FOR_MEMORY);
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
