package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.triage.ComplaintKind;
import io.labscan.controller.triage.ComplaintSummary;
import io.labscan.controller.triage.TriageResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TriageTracedPartTableTest {

  private static TriageResult result(String tracedPart) {
    return new TriageResult(List.of(new ComplaintSummary(ComplaintKind.MESSAGE,
        Optional.of("dave@example.edu"), Optional.empty(), Optional.of("meeting notice"), Optional.empty(),
        tracedPart, Optional.of("janet@example.edu"))), List.of(), List.of());
  }

  @Test
  void aForwardedComplaintsTableSaysWhichPartWasTraced() {
    String table = TriageCommand.table(result("attachment 1 of the message (message/rfc822), forwarded by janet@example.edu"));

    assertThat(table).contains("Traced: attachment 1 of the message (message/rfc822), forwarded by janet@example.edu");
  }

  @Test
  void aPlainMessagesTableHasNoTracedLine() {
    assertThat(TriageCommand.table(result("the message itself"))).doesNotContain("Traced:");
  }
}
