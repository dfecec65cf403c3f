package io.labscan.controller.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.controller.triage.ComplaintParser;
import io.labscan.controller.triage.FuzzAccess;
import io.labscan.controller.triage.NotAMailMessageException;
import io.labscan.controller.triage.ParsedComplaint;
import io.labscan.controller.triage.ReceivedParser;
import io.labscan.controller.triage.TrustConfig;
import java.util.List;

/**
 * The MIME triage input: {@link ComplaintParser#parse} reads any bytes a user pastes or
 * feeds it into a traced complaint, or refuses them with {@link NotAMailMessageException};
 * nothing else is thrown. What it returns is bounded by the input and can be printed as JSON.
 * Seeds: the whole triage corpus (messages, RFC 3464 and plain bounces, ARF reports, header
 * pastes, and the not-mail files).
 */
class ComplaintFuzzTest {
  private static final TrustConfig TRUST = TrustConfig.of(List.of("198.51.100.0/24", "*.example.edu"));

  @FuzzTest
  void everyInputTracesOrIsRefusedAsNotMail(byte[] input) {
    ParsedComplaint complaint;
    try {
      complaint = ComplaintParser.parse(input, TRUST);
    } catch (NotAMailMessageException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    assertThat(complaint.hops().size()).isLessThanOrEqualTo(FuzzAccess.maxHeaderFields());
    assertThat(complaint.hops())
        .allSatisfy(h -> assertThat(h.hop().raw().length()).isLessThanOrEqualTo(ReceivedParser.MAX_LENGTH));
    // At most one warning per unreadable hop, plus a few about the message as a whole.
    assertThat(complaint.warnings().size()).isLessThanOrEqualTo(complaint.hops().size() + 16);
    assertThat(complaint.warnings()).allSatisfy(ComplaintFuzzTest::assertPrintable);
    assertThat(complaint.toJson()).isNotNull();
  }

  /** Warnings are printed as they are: one bounded line, no control characters. */
  private static void assertPrintable(String warning) {
    assertThat(warning.length()).as(warning).isLessThanOrEqualTo(1024);
    assertThat(warning.chars().noneMatch(Character::isISOControl)).as(warning).isTrue();
  }
}
