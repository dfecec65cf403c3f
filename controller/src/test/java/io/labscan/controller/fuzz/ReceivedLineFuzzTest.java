package io.labscan.controller.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.labscan.controller.triage.FuzzAccess;
import io.labscan.controller.triage.HopFlag;
import io.labscan.controller.triage.ReceivedHop;
import io.labscan.controller.triage.ReceivedParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@link ReceivedParser} is total: whatever a forged or broken {@code Received:} value holds,
 * the parser itself (without the safety net of {@link ReceivedParser#parse}) returns a hop,
 * keeps at most {@value ReceivedParser#MAX_LENGTH} characters of it on one line without control
 * characters, and every field it fills is non-blank and (for IPs) canonical. Seeds: every Received line of the triage
 * corpus (Postfix, Sendmail, Exim, qmail, Exchange, Gmail, SMTPSVC) and a few more shapes.
 */
class ReceivedLineFuzzTest {
  @FuzzTest
  void everyValueParsesWithoutThrowing(byte[] bytes) {
    String value = new String(bytes, StandardCharsets.UTF_8);

    ReceivedHop hop = FuzzAccess.parseReceivedUnguarded(value);

    assertThat(hop.raw().length()).isLessThanOrEqualTo(ReceivedParser.MAX_LENGTH);
    assertThat(hop.raw().chars().noneMatch(Character::isISOControl)).as(hop.raw()).isTrue();
    assertThat(hop.flags().contains(HopFlag.TRUNCATED))
        .isEqualTo(value.length() > ReceivedParser.MAX_LENGTH);
    for (Optional<String> field : List.of(hop.fromHelo(), hop.fromRdns(), hop.fromIp(),
        hop.byHost(), hop.byIp(), hop.with(), hop.id(), hop.forRecipient())) {
      field.ifPresent(ReceivedLineFuzzTest::assertOneWordOrPhrase);
    }
    hop.fromIp().ifPresent(ip -> assertThat(FuzzAccess.isCanonicalIp(ip)).as(ip).isTrue());
    hop.byIp().ifPresent(ip -> assertThat(FuzzAccess.isCanonicalIp(ip)).as(ip).isTrue());
    assertThat(ReceivedParser.parse(value)).isEqualTo(hop);
  }

  private static void assertOneWordOrPhrase(String field) {
    assertThat(field).isNotBlank();
    assertThat(field.chars().noneMatch(Character::isISOControl)).as(field).isTrue();
  }
}
