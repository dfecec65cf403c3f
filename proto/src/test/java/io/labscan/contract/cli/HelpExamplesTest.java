package io.labscan.contract.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The example convention itself; each CLI's own test checks that every command has one. */
class HelpExamplesTest {
  @Test
  void aLongExampleIsBrokenWithLineContinuationsOutsideQuotesAndReadBackWhole() {
    String example = "labscan-controller revoke --db /var/lib/labscan-controller/labscan.db --reason \"a stolen "
        + "laptop that is gone\" lab-pc-19";

    List<String> lines = HelpExamples.wrap(example, 60);

    assertThat(lines).containsExactly(
        "  labscan-controller revoke --db \\",
        "      /var/lib/labscan-controller/labscan.db --reason \\",
        "      \"a stolen laptop that is gone\" lab-pc-19");
    assertThat(HelpExamples.examplesIn("Usage: x\n\nExample:\n" + String.join("\n", lines) + "\n"))
        .containsExactly(example);
  }

  @Test
  void anExampleSplitsAsAShellWouldQuotesRemovedAndStopsAtARedirection() {
    assertThat(HelpExamples.words("labscan-controller revoke --reason \"stolen laptop\" --lab 'phys-*' pc > out.txt"))
        .containsExactly("labscan-controller", "revoke", "--reason", "stolen laptop", "--lab", "phys-*", "pc");
  }
}
