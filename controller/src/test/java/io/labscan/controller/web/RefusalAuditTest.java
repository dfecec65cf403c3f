package io.labscan.controller.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which refused anonymous single sign-on callbacks reach the (undeletable) audit log. */
class RefusalAuditTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T09:00:00Z"));
  final RefusalAudit audit = new RefusalAudit(clock);

  private long recorded(String ip, int times) {
    return IntStream.range(0, times).filter(i -> audit.refused(ip).record()).count();
  }

  @Test
  void theFirstRefusalsOfAnAddressAreRecordedAndTheRestOnlyCounted() {
    assertThat(recorded("198.51.100.7", 500)).isEqualTo(RefusalAudit.PER_ADDRESS);
    assertThat(audit.refused("203.0.113.9").record()).isTrue();
  }

  @Test
  void afterTheWindowOneSummarySaysHowManyWereSuppressedFromWhichAddress() {
    recorded("198.51.100.7", 25);
    clock.advance(RefusalAudit.WINDOW);

    RefusalAudit.Decision next = audit.refused("203.0.113.9");

    assertThat(next.summaries()).singleElement().satisfies(s -> {
      assertThat(s.address()).isEqualTo("198.51.100.7");
      assertThat(s.count()).isEqualTo(25 - RefusalAudit.PER_ADDRESS);
    });
    assertThat(audit.refused("203.0.113.9").summaries()).isEmpty();
    assertThat(recorded("198.51.100.7", 3)).as("a new window for the address").isEqualTo(3);
  }

  @Test
  void theSummaryIsReadyWhenTheWindowEndsWithoutAnotherRefusal() {
    recorded("198.51.100.7", 25);
    clock.advance(RefusalAudit.WINDOW.minusSeconds(1));
    assertThat(audit.flush()).as("the window is still open").isEmpty();

    clock.advance(Duration.ofSeconds(1));

    assertThat(audit.flush()).singleElement().satisfies(s -> {
      assertThat(s.address()).isEqualTo("198.51.100.7");
      assertThat(s.count()).isEqualTo(25 - RefusalAudit.PER_ADDRESS);
    });
    assertThat(audit.flush()).as("each summary once").isEmpty();
    assertThat(audit.refused("203.0.113.9").summaries()).as("nor again with the next refusal").isEmpty();
  }

  @Test
  void theAddressesOfOneIpv6Slash64ShareOneAllowance() {
    long total = IntStream.range(0, 100).filter(i -> audit.refused("2001:db8:7:1::" + Integer.toHexString(i + 1)).record())
        .count();
    assertThat(total).isEqualTo(RefusalAudit.PER_ADDRESS);
  }

  @Test
  void manyAddressesTogetherRecordABoundedNumberWithBoundedMemory() {
    long total = 0;
    for (int i = 0; i < 20_000; i++) {
      total += recorded("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 3);
    }
    assertThat(total).isLessThanOrEqualTo(RefusalAudit.PER_WINDOW + RefusalAudit.MAX_ADDRESSES);
    assertThat(audit.tracked()).isLessThanOrEqualTo(RefusalAudit.MAX_ADDRESSES + 1);
  }

  @Test
  void refusalsFromAHundredAddressesDoNotSilenceTheFirstRefusalOfAnAddressNotSeenBefore() {
    for (int a = 0; a < 100; a++) { // e.g. 100 /64s of one home /56
      recorded("2001:db8:0:" + Integer.toHexString(a) + "::1", RefusalAudit.PER_ADDRESS);
    }
    assertThat(audit.refused("198.51.100.7").record())
        .as("the first refused callback (say a forged ID token) of an address never seen before is recorded").isTrue();
  }

  @Test
  void theAddressesOfOneIpv4Slash24TogetherRecordABoundedNumber() {
    long total = 0;
    for (int i = 1; i < 255; i++) {
      total += recorded("203.0.113." + i, 10);
    }
    assertThat(total).isLessThanOrEqualTo(RefusalAudit.ADDRESSES_PER_NETWORK + 1 + RefusalAudit.PER_NETWORK);
    assertThat(audit.tracked()).isLessThanOrEqualTo(RefusalAudit.ADDRESSES_PER_NETWORK + 1);
  }

  @Test
  void theSlash64sOfOneIpv6Slash48TogetherRecordABoundedNumber() {
    long total = 0;
    for (int i = 0; i < 1000; i++) {
      total += recorded("2001:db8:7:" + Integer.toHexString(i) + "::1", 10);
    }
    assertThat(total).isLessThanOrEqualTo(RefusalAudit.ADDRESSES_PER_NETWORK + 1 + RefusalAudit.PER_NETWORK);
  }
}
