package io.labscan.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path dir;

  private static Report report(long seq) {
    return Report.newBuilder().setReportId(UUID.randomUUID().toString()).setSequence(seq).build();
  }

  @Test
  void spooledReportsSurviveAReopenInOrder() {
    Report a;
    Report b;
    try (Spool spool = Spool.open(dir)) {
      a = report(spool.nextSequence());
      b = report(spool.nextSequence());
      spool.add(b);
      spool.add(a);
    }
    try (Spool spool = Spool.open(dir)) {
      assertThat(spool.oldest(10)).containsExactly(a, b);
    }
  }

  @Test
  void sequenceNumbersKeepGrowingAcrossRestarts() {
    long last;
    try (Spool spool = Spool.open(dir)) {
      spool.nextSequence();
      last = spool.nextSequence();
    }
    try (Spool spool = Spool.open(dir)) {
      assertThat(spool.nextSequence()).isEqualTo(last + 1);
    }
  }

  @Test
  void anAcknowledgedReportLeavesTheSpool() {
    try (Spool spool = Spool.open(dir)) {
      Report r = report(spool.nextSequence());
      spool.add(r);
      spool.remove(r.getReportId());
      assertThat(spool.size()).isZero();
      assertThat(spool.oldest()).isEmpty();
    }
  }

  @Test
  void spoolingTheSameReportTwiceKeepsOneCopy() {
    try (Spool spool = Spool.open(dir)) {
      Report r = report(spool.nextSequence());
      spool.add(r);
      spool.add(r);
      assertThat(spool.size()).isEqualTo(1);
    }
  }
}
