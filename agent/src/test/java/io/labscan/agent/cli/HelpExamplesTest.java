package io.labscan.agent.cli;

import io.labscan.testsupport.HelpExampleChecks;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

class HelpExamplesTest {
  @TestFactory
  Stream<DynamicTest> everyCommandsHelpEndsWithAnExampleOfThatCommandThatParses() {
    return HelpExampleChecks.everyCommandsHelpEndsWithAnExampleThatParses("labscan-agent", AgentMain::commandLine);
  }
}
