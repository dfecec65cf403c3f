package io.labscan.controller.cli;

import io.labscan.controller.text.Text;
import io.labscan.contract.LabScanVersion;
import io.labscan.contract.cli.HelpExamples;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code labscan-controller}: the controller's command line. */
@Command(
    name = "labscan-controller",
    mixinStandardHelpOptions = true,
    versionProvider = ControllerMain.Version.class,
    description = "LabScan controller: stores agents' evidence, finds the machine that really sends the worm's mail.",
    subcommands = {ServeCommand.class, ImportCommand.class, HostsCommand.class, HostCommand.class,
        InfectedCommand.class, TriageCommand.class, ComplaintCommand.class, OwnerCommand.class, RulesCommand.class, PolicyCommand.class, ScanNowCommand.class,
        EnrollTokenCommand.class, RevokeCommand.class, QuarantineCommand.Quarantine.class,
        QuarantineCommand.Release.class, DemoCommand.class, PruneCommand.class, DoctorCommand.class,
        MigrateToCommand.class,
        io.labscan.controller.cli.UserCommand.class, io.labscan.controller.cli.LabRuleCommand.class,
        TokenCommand.class, ReportCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:the work failed (I/O, port in use, ...)",
      "2:bad input: unknown option, file that is not a report, missing database, ..."
    })
public final class ControllerMain implements Runnable {
  public static final int EXIT_BAD_INPUT = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new ControllerMain())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler((e, cmd, parsed) -> {
          cmd.getErr().println(cmd.getCommandName() + ": " + Text.terminalSafe(String.valueOf(e.getMessage()), 2000));
          return 1;
        });
    return HelpExamples.apply(commandLine, ControllerMain.class, "examples.properties");
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"labscan-controller " + LabScanVersion.get()};
    }
  }
}
