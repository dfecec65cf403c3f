package io.labscan.agent.checks.av.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.av.windows.SecurityCenterState.Definitions;
import io.labscan.agent.checks.av.windows.SecurityCenterState.Protection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecurityCenterStateTest {

  @ParameterizedTest(name = "{0} (0x{1}) is {2}, {3}")
  @CsvSource({
      "397568, 61100, ON, UP_TO_DATE",
      "266256, 41010, ON, OUT_OF_DATE",
      "397584, 61110, ON, OUT_OF_DATE",
      "393472, 60100, OFF, UP_TO_DATE",
      "401664, 62100, SNOOZED, UP_TO_DATE",
      "405760, 63100, EXPIRED, UP_TO_DATE",
      "331776, 51000, ON, UP_TO_DATE",
      "413952, 65100, UNRECOGNISED, UP_TO_DATE",
      "397632, 61140, ON, UNRECOGNISED",
  })
  void productStateDecodesToProtectionAndDefinitions(long value, String hex,
      Protection protection, Definitions definitions) {
    assertThat(Long.parseLong(hex, 16)).isEqualTo(value);

    SecurityCenterState state = SecurityCenterState.decode(value);

    assertThat(state.protection()).isEqualTo(protection);
    assertThat(state.definitions()).isEqualTo(definitions);
  }
}
