package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Only unicast addresses a machine can be reached at are holdings: the rest name no machine, so
 * two hosts reporting one of them are no address conflict (issue 15, red-team round 3, F3).
 */
class HoldingAddressTest {
  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "::", "0.1.2.3", "224.0.0.251", "239.255.255.250", "ff02::fb",
      "255.255.255.255", "127.0.0.1", "::1", "169.254.10.20", "fe80::20c:29ff:fe12:3456"})
  void anAddressThatNamesNoMachineIsNoHolding(String ip) {
    assertThat(SqlReports.notAHoldingAddress(ip)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.20.3.17", "203.0.113.1", "192.168.1.255", "2001:db8::25", "fd00::17"})
  void aUnicastAddressIsAHolding(String ip) {
    assertThat(SqlReports.notAHoldingAddress(ip)).isFalse();
  }
}
