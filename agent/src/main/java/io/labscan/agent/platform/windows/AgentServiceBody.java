package io.labscan.agent.platform.windows;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;

/** The agent as a service body: read agent.yaml, start the runtime the way `run` does. */
public final class AgentServiceBody implements ServiceBody {
  private final Path configFile;
  private final Function<AgentConfig, AutoCloseable> starter;

  /** Starts an {@link AgentRuntime} for the configuration in {@code configFile}. */
  public AgentServiceBody(Path configFile) {
    this(configFile, config -> AgentRuntime.start(config, Clock.systemUTC()));
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
}
