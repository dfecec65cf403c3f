package io.labscan.agent.cli;

import io.labscan.contract.text.DurationText;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.agent.checks.egress.EgressWindowFormat;
import io.labscan.agent.checks.egress.linux.NftablesRules;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.agent.platform.services.PlatformServices;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code labscan-agent egress}: watch outbound SMTP for a while and print who sent. */
@Command(name = "egress", mixinStandardHelpOptions = true,
    description = {
      "Watches outgoing connections to SMTP ports for a while, then prints one line per",
      "process: pid, name, user, connections, destinations. Run as root/administrator to see",
      "other users' processes."
    })
final class EgressCommand implements Callable<Integer> {
  enum Format { TABLE, JSON }

  @Option(names = "--duration", defaultValue = "60s", paramLabel = "TIME",
      converter = DurationConverter.class, description = "How long to watch: 500ms, 60s, 2m (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--period", defaultValue = "250ms", paramLabel = "TIME",
      converter = DurationConverter.class, description = "Socket sampling period (default ${DEFAULT-VALUE}).")
  Duration period;

  @Option(names = "--port", paramLabel = "N",
      description = "Remote port to watch; repeat for several (default 25, 465, 587).")
  List<Integer> ports;

  @Option(names = "--include-loopback", description = "Also count connections to 127.0.0.0/8 and ::1.")
  boolean includeLoopback;

  @Option(names = "--events",
      description = "Also use the kernel/audit event source (Linux: nftables log, root; Windows: event 5156).")
  boolean events;

  @Option(names = "--remove-rules",
      description = "Remove the agent's nftables table (event mode) and exit: for uninstallers.")
  boolean removeRules;

  @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
      description = "Output: table or json (default table).")
  Format format;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    if (removeRules) {
      try {
        NftablesRules.removeRules();
        return 0;
      } catch (IOException e) {
        err.println("labscan-agent egress: " + e.getMessage());
        return 1;
      }
    }
    if (duration.isZero() || duration.isNegative()) {
      err.println("labscan-agent egress: --duration must be positive.");
      return AgentMain.EXIT_BAD_INPUT;
    }
    if (ports != null && ports.stream().anyMatch(p -> p < 1 || p > 65535)) {
      err.println("labscan-agent egress: --port must be between 1 and 65535.");
      return AgentMain.EXIT_BAD_INPUT;
    }
    EgressPolicy policy = EgressPolicy.from(PolicyDefaults.defaults())
        .withSamplePeriod(period)
        // One window longer than the run: stopAndDrainAll() ends it at the stop time, so each
        // process gets exactly one line.
        .withWindow(duration.multipliedBy(2).plusSeconds(1))
        .withIncludeLoopback(includeLoopback)
        .withEventMode(events);
    if (ports != null && !ports.isEmpty()) {
      policy = policy.withPorts(Set.copyOf(ports));
    }
    EgressWatcher watcher = PlatformServices.current().egressWatcher(policy, Clock.systemUTC());
    List<SmtpEgressWindow> windows;
    try {
      err.println("Watching ports " + policy.ports() + " for " + duration.toMillis() + " ms ...");
      err.flush();
      TimeUnit.MILLISECONDS.sleep(duration.toMillis());
    } finally {
      windows = watcher.stopAndDrainAll();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(format == Format.JSON ? EgressWindowFormat.json(windows) : EgressWindowFormat.table(windows));
    out.flush();
    return 0;
  }

  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return DurationText.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
