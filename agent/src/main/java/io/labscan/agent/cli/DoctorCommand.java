package io.labscan.agent.cli;

import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.doctor.AgentDoctor;
import io.labscan.contract.doctor.DoctorReport;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code labscan-agent doctor}: what this installation gets wrong, each with its fix. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = {
      "Checks what a new installation gets wrong: the config file, the state folder, enrolment, certificate",
      "dates (and this machine's clock), each controller's reachability and a TLS handshake with the pinned CA.",
      "Prints each problem with the command that fixes it. Changes nothing; safe while the service runs."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no problems (warnings are advice)",
      "1:problems found",
      "2:bad input: unreadable config"
    })
final class DoctorCommand implements Callable<Integer> {
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  @Mixin ConfigOptions configOptions;

  @Override
  public Integer call() {
    AgentConfig config;
    try {
      config = configOptions.load();
    } catch (ConfigLoader.ConfigException e) {
      System.err.println("labscan-agent doctor: " + e.getMessage());
      return AgentMain.EXIT_BAD_INPUT;
    }
    return DoctorReport.print(new AgentDoctor(Clock.systemUTC(), PROBE_TIMEOUT)
        .examine(config, Optional.ofNullable(configOptions.config)), System.out);
  }
}
