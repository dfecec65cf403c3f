package io.labscan.controller.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hostnames are endpoint claims: names that print the same are the same name (issue 15, D). */
class HostnameKeyTest {
  @Test
  void aZeroWidthSpaceAfterTheNameIsTheSameName() {
    assertThat(HostnameKey.of("lab-pc-07\u200B")).isEqualTo(HostnameKey.of("lab-pc-07"));
  }

  @Test
  void formatCharactersAnywhereInTheNameAreIgnored() {
    assertThat(HostnameKey.of("\uFEFFlab\u00AD-pc\u2060-0\u200D7\u200E")).isEqualTo("lab-pc-07");
  }

  @Test
  void caseFullWidthLettersAndATrailingDotFoldToThePlainName() {
    assertThat(HostnameKey.of("ＬＡＢ-PC-07.")).isEqualTo("lab-pc-07");
  }

  @Test
  void differentNamesKeepDifferentKeys() {
    assertThat(HostnameKey.of("lab-pc-07")).isNotEqualTo(HostnameKey.of("lab-pc-08"));
  }

  @Test
  void theSharedKeysAreThoseOfNamesTwoHostsHaveNotOneHostReportedTwice() {
    List<Map.Entry<String, String>> fleet = List.of(Map.entry("a", "lab-pc-07"), Map.entry("b", "lab-pc-07\u200B"),
        Map.entry("c", "lab-pc-12"), Map.entry("c", "LAB-PC-12"));

    assertThat(HostnameKey.shared(fleet)).containsExactly("lab-pc-07");
  }
}
