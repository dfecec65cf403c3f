package io.labscan.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReportSenderBackoffTest {
  @Test
  void backoffGrowsButNeverExceedsTheCap() {
    for (int failures = 1; failures < 100; failures++) {
      Duration d = ReportSender.backoff(failures);
      assertThat(d).isPositive().isLessThanOrEqualTo(ReportSender.MAX_BACKOFF);
    }
  }

  @Test
  void backoffAfterManyFailuresCanReachMinutesWhileTheFirstStaysShort() {
    long maxFirst = 0;
    long maxLate = 0;
    for (int i = 0; i < 200; i++) {
      maxFirst = Math.max(maxFirst, ReportSender.backoff(1).toMillis());
      maxLate = Math.max(maxLate, ReportSender.backoff(30).toMillis());
    }
    assertThat(maxFirst).isLessThanOrEqualTo(ReportSender.MIN_BACKOFF.toMillis());
    assertThat(maxLate).isGreaterThan(Duration.ofSeconds(30).toMillis());
  }
}
