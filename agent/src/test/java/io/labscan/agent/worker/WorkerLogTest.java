package io.labscan.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerLogTest {
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    WorkerLog.copyLines(new StringReader(text), out::add);
    return out;
  }

  @Test
  void eachLineOfTheWorkersStderrBecomesOneLogLine() {
    assertThat(lines("16:01:34.102 INFO  Scanner - started\nScan worker: report written.\n"))
        .containsExactly("16:01:34.102 INFO  Scanner - started", "Scan worker: report written.");
  }

  @Test
  void windowsLineEndsAreRemoved() {
    assertThat(lines("one\r\ntwo\r\n")).containsExactly("one", "two");
  }

  @Test
  void aLastLineWithoutLineEndIsKept() {
    assertThat(lines("killed mid-line")).containsExactly("killed mid-line");
  }

  @Test
  void aRunawayLineIsCutAtTheLimit() {
    List<String> out = lines("x".repeat(WorkerLog.MAX_LINE_CHARS * 3) + "\nnext\n");

    assertThat(out).hasSize(2);
    assertThat(out.get(0)).hasSize(WorkerLog.MAX_LINE_CHARS + " [cut]".length()).endsWith(" [cut]");
    assertThat(out.get(1)).isEqualTo("next");
  }
}
