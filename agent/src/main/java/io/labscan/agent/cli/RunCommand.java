package io.labscan.agent.cli;

import io.labscan.agent.AgentEnrolment;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.config.ControllerAddresses;
import io.labscan.agent.selfwatch.SelfWatch;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.config.ScanMode;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-agent run}: the long-running service. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
      "Runs as a service: heartbeats, scheduled scans, reports over gRPC with mutual TLS.",
      "Enrols first when the machine has no certificate and the config file has a token.",
      "Stops on SIGTERM or Ctrl-C. Exits with 75 to be restarted by the service manager when it stayed",
      "over its memory budget (policy --agent-memory-budget)."
    })
final class RunCommand implements Callable<Integer> {
  @Mixin ConfigOptions configOptions;

  @Option(names = "--controller", paramLabel = "HOST:PORT",
      description = "Controller address (overrides the config file), or several separated by commas: the agent "
          + "reports to one at a time and moves to the next within a minute when its controller is unreachable.")
  String controller;

  @Option(names = "--insecure",
      description = "Plaintext gRPC, no TLS, no enrolment. For demos and closed test networks only.")
  boolean insecure;

  /** The {@code --controller} value validated (one address, or several separated by commas). */
  static String controllers(String option) {
    try {
      return ControllerAddresses.join(ControllerAddresses.parse(option));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--controller: " + e.getMessage(), e);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    AgentConfig config;
    try {
      config = configOptions.load();
      if (controller != null) {
        config = config.withController(controllers(controller), insecure || config.insecure());
      } else if (insecure) {
        config = config.withController(config.controller().orElse(""), true);
      }
    } catch (ConfigLoader.ConfigException | IllegalArgumentException e) {
      System.err.println("labscan-agent run: " + e.getMessage());
      return AgentMain.EXIT_BAD_INPUT;
    }
    if (config.controller().filter(s -> !s.isBlank()).isEmpty()) {
      System.err.println("labscan-agent run: no controller address; set 'controller: HOST:PORT' in "
          + "the config file or pass --controller.");
      return AgentMain.EXIT_BAD_INPUT;
    }
    if (config.insecure()) {
      System.err.println("WARNING: plaintext gRPC: reports travel unencrypted and unauthenticated.");
    } else if (!AgentCredentials.present(config.stateDir())) {
      Optional<String> target = config.enrolmentTarget();
      if (config.token().isEmpty() || target.isEmpty()) {
        System.err.println("labscan-agent run: this machine is not enrolled; run 'labscan-agent enroll --token "
            + "TOKEN' first, or set 'token:' in the config file.");
        return AgentMain.EXIT_BAD_INPUT;
      }
      try {
        AgentEnrolment.untilDone(config, config.token().get(), target.get());
      } catch (EnrolmentException e) {
        System.err.println("labscan-agent run: " + e.getMessage());
        return 1;
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean restartForMemory = new AtomicBoolean();
    AgentRuntime agent = AgentRuntime.builder(config, Clock.systemUTC()).scanMode(ScanMode.WORKER_PROCESS)
        .onSelfRestart(() -> {
          // From the runtime's serial context: only signal; this thread closes the runtime below.
          restartForMemory.set(true);
          stopped.countDown();
        })
        .start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.close();
      stopped.countDown();
    }, "labscan-agent-shutdown"));
    System.err.println("labscan-agent " + agent.hostId() + " reporting to " + config.controller().get());
    stopped.await();
    if (restartForMemory.get()) {
      // A clean stop (the spool flushed and closed, the open egress window spooled), then the
      // exit code the service manager restarts (docs/reliability.md, "The agent watches itself").
      agent.close();
      System.err.println("labscan-agent: over its memory budget; exiting with " + SelfWatch.EXIT_RESTART_FOR_MEMORY
          + " to be restarted.");
      return SelfWatch.EXIT_RESTART_FOR_MEMORY;
    }
    return 0;
  }
}
