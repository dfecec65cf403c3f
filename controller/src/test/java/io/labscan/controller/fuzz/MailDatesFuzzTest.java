package io.labscan.controller.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.controller.triage.MailDates;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * {@link MailDates#parse} never throws: any text is an instant or nothing. An instant it
 * reads lies between 1970 (earlier years are refused; zones reach 18 hours) and the end of
 * year 9999, and surrounding blanks do not change the answer. Seeds: every Date:, Arrival-Date:
 * and Received: time stamp of the triage corpus and the obsolete forms old MTAs write.
 */
class MailDatesFuzzTest {
  private static final Instant EARLIEST = LocalDateTime.of(1969, 12, 31, 6, 0).toInstant(ZoneOffset.UTC);
  private static final Instant LATEST = LocalDateTime.of(10000, 1, 1, 18, 0).toInstant(ZoneOffset.UTC);

  @FuzzTest
  void everyTextIsADateOrNothing(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);

    Optional<Instant> date = MailDates.parse(text);

    date.ifPresent(d -> assertThat(d).isBetween(EARLIEST, LATEST));
    assertThat(MailDates.parse(" " + text + "\t")).isEqualTo(date);
  }
}
