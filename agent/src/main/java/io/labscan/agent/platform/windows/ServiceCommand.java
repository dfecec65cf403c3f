package io.labscan.agent.platform.windows;

import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.platform.Platform;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code labscan-agent service}: what the Windows service control manager starts (install.ps1
 * registers it). Connects to the SCM, reports RUNNING, runs the agent, stops on STOP/SHUTDOWN.
 */
@Command(name = "service", mixinStandardHelpOptions = true,
    description = {
      "Runs the agent as a Windows service (started by the service control manager; see installers/windows).",
      "On Linux and macOS systemd and launchd start 'labscan-agent run' instead."
    })
public final class ServiceCommand implements Callable<Integer> {
  /** The service name install.ps1 registers. */
  public static final String DEFAULT_SERVICE_NAME = "LabScanAgent";

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "Agent configuration, e.g. C:\\ProgramData\\LabScan\\agent.yaml.")
  Path config;

  @Option(names = "--name", defaultValue = DEFAULT_SERVICE_NAME, paramLabel = "NAME",
      description = "Service name registered with the SCM (default: ${DEFAULT-VALUE}).")
  String serviceName;

  private final Optional<ServiceHost> host;

  public ServiceCommand() {
    this(ServiceHosts.forPlatform(Platform.current()));
  }

  ServiceCommand(Optional<ServiceHost> host) {
    this.host = host;
  }

  @Override
  public Integer call() {
    if (host.isEmpty()) {
      System.err.println("labscan-agent service: only the Windows service control manager runs this; "
          + "on Linux and macOS the service runs 'labscan-agent run --config FILE'.");
      return 2;
    }
    ServiceLogFile.install(logDir());
    try {
      host.get().run(serviceName, new AgentServiceBody(config));
      return 0;
    } catch (ServiceHost.NotStartedAsServiceException e) {
      System.err.println("labscan-agent service: " + e.getMessage() + ". Start it with 'sc.exe start "
          + serviceName + "', or use 'labscan-agent run --config FILE' in a console.");
      return 2;
    }
  }

  /** The state folder's logs\ (from agent.yaml when it can be read; else the default state folder). */
  private Path logDir() {
    Path state;
    try {
      state = ConfigLoader.load(config).stateDir();
    } catch (ConfigLoader.ConfigException e) {
      state = AgentConfig.defaults().stateDir();
    }
    return state.resolve("logs");
  }
}
