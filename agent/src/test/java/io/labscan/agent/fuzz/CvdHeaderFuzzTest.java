package io.labscan.agent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.agent.checks.av.clamav.CvdHeader;
import java.time.Instant;

/**
 * {@link CvdHeader#parse} is total: every byte string, however short or hostile, gives a
 * {@link CvdHeader.Parsed} or a {@link CvdHeader.Malformed} with a short printable reason.
 * Seeds: the 512-byte headers of daily.cld, main.cvd and bytecode.cvd as freshclam writes them.
 */
class CvdHeaderFuzzTest {
  /** Year 9999, the largest build time the parser accepts. */
  private static final Instant LATEST = Instant.ofEpochSecond(253_402_300_799L);

  @FuzzTest
  void everyHeaderGivesAResult(byte[] bytes) {
    CvdHeader.Result result = CvdHeader.parse(bytes);

    assertThat(result).isNotNull();
    if (result instanceof CvdHeader.Parsed parsed) {
      CvdHeader header = parsed.header();
      assertThat(header.version()).isNotNegative();
      assertThat(header.signatures()).isNotNegative();
      assertThat(header.functionalityLevel()).isNotNegative();
      assertThat(header.buildTime()).isBefore(LATEST.plusSeconds(1));
      Text.assertReportable(header.builder(), 41);
      Text.assertReportable(header.buildTimeText(), 41);
    } else {
      Text.assertReportable(((CvdHeader.Malformed) result).problem(), 200);
    }
  }
}
