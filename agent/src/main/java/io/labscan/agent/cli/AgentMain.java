package io.labscan.agent.cli;

import io.labscan.contract.LabScanVersion;
import io.labscan.agent.platform.windows.ServiceCommand;
import io.labscan.contract.cli.HelpExamples;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code labscan-agent}: the endpoint agent's command line. */
@Command(
    name = "labscan-agent",
    mixinStandardHelpOptions = true,
    versionProvider = AgentMain.Version.class,
    description = "LabScan endpoint agent: checks this machine for mass-mailer evidence and reports it.",
    subcommands = {ScanCommand.class, EnrollCommand.class, RunCommand.class, StatusCommand.class, DoctorCommand.class, EgressCommand.class, QuarantineCommand.class,
        ServiceCommand.class, ScanWorkerCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the work failed (I/O, controller unreachable, ...)",
      "2:bad input: unknown option, unreadable config, ...",
      "75:run: restarting itself, over its memory budget (the service manager restarts it)"
    })
public final class AgentMain implements Runnable {
  /** Exit code for bad input (usage errors, unreadable files). */
  public static final int EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new AgentMain())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println(cmd.getCommandName() + ": " + e.getMessage());
          return 1;
        });
    return HelpExamples.apply(commandLine, AgentMain.class, "examples.properties");
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"labscan-agent " + LabScanVersion.get()};
    }
  }
}
