package io.labscan.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.cli.HelpExamples;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import picocli.CommandLine;

/**
 * The rule both command lines' help follows, checked one dynamic test per visible command
 * ({@link HelpExamples}): every command's help ends with an example of that command, in the 80
 * columns of help, that a fresh command line parses (real options with valid values), and a
 * group's example runs one of its commands. One check for {@code labscan-agent} and
 * {@code labscan-controller}, each module's {@code HelpExamplesTest} naming its own program.
 */
public final class HelpExampleChecks {
  private HelpExampleChecks() {}

  /**
   * One test per visible command of {@code commandLine}, whose examples start with
   * {@code program}; {@code commandLine} gives a fresh command line each time.
   */
  public static Stream<DynamicTest> everyCommandsHelpEndsWithAnExampleThatParses(String program,
      Supplier<CommandLine> commandLine) {
    return HelpExamples.visibleCommands(commandLine.get()).stream().map(command -> DynamicTest.dynamicTest(
        command.getCommandSpec().qualifiedName(), () -> {
          String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
          assertThat(help.lines()).as("help of %s", command.getCommandSpec().qualifiedName()).contains("Example:");
          assertThat(help.substring(help.indexOf("\nExample:\n")).lines())
              .as("example lines fit the 80 columns of help").allSatisfy(l -> assertThat(l).hasSizeLessThanOrEqualTo(80));
          List<String> examples = HelpExamples.examplesIn(help);
          assertThat(examples).isNotEmpty();
          List<String> words = HelpExamples.words(examples.get(0));
          assertThat(words.get(0)).isEqualTo(program);
          // Parsed by a fresh command line: the example names real options with valid values.
          CommandLine.ParseResult parsed = commandLine.get().parseArgs(words.subList(1, words.size())
              .toArray(String[]::new));
          CommandLine.ParseResult deepest = parsed;
          while (deepest.hasSubcommand()) {
            deepest = deepest.subcommand();
          }
          if (command.getParent() != null) { // a group's example runs one of its commands
            assertThat(deepest.commandSpec().qualifiedName()).as("the example of %s runs it",
                command.getCommandSpec().qualifiedName()).startsWith(command.getCommandSpec().qualifiedName());
          }
        }));
  }
}
