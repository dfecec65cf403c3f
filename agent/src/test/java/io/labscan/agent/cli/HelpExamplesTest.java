package io.labscan.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.cli.HelpExamples;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

class HelpExamplesTest {
  @TestFactory
  Stream<DynamicTest> everyCommandsHelpEndsWithAnExampleOfThatCommandThatParses() {
    return HelpExamples.visibleCommands(AgentMain.commandLine()).stream().map(command -> DynamicTest.dynamicTest(
        command.getCommandSpec().qualifiedName(), () -> {
          String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
          assertThat(help.lines()).as("help of %s", command.getCommandSpec().qualifiedName()).contains("Example:");
          assertThat(help.substring(help.indexOf("\nExample:\n")).lines())
              .as("example lines fit the 80 columns of help").allSatisfy(l -> assertThat(l).hasSizeLessThanOrEqualTo(80));
          List<String> examples = HelpExamples.examplesIn(help);
          assertThat(examples).isNotEmpty();
          List<String> words = HelpExamples.words(examples.get(0));
          assertThat(words.get(0)).isEqualTo("labscan-agent");
          // Parsed by a fresh command line: the example names real options with valid values.
          CommandLine.ParseResult parsed = AgentMain.commandLine().parseArgs(words.subList(1, words.size())
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
