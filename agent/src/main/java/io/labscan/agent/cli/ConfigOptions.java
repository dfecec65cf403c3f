package io.labscan.agent.cli;

import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by the commands that read {@code agent.yaml}. */
final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Agent configuration (YAML), e.g. /etc/labscan/agent.yaml.")
  Path config;

  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "The agent's writable state folder (overrides the config file).")
  Path stateDir;

  AgentConfig load() throws ConfigLoader.ConfigException {
    AgentConfig c = config == null ? AgentConfig.defaults() : ConfigLoader.load(config);
    return stateDir == null ? c : c.withStateDir(stateDir);
  }
}
