package io.labscan.agent.checks.artifacts.walk;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatxTest {
  @Test
  void deviceNumbersAreCombinedAsGlibcMakedevDoes() {
    assertThat(Statx.device(254, 0)).isEqualTo(0xfe00L);
    assertThat(Statx.device(8, 1)).isEqualTo(0x801L);
    assertThat(Statx.device(0x1234, 0x56789)).isEqualTo(0x1000_5672_3489L);
  }

  @Test
  void modeBitsGiveTheEntryType() {
    assertThat(Statx.typeOfMode(0100644)).isEqualTo(EntryType.FILE);
    assertThat(Statx.typeOfMode(0040755)).isEqualTo(EntryType.DIRECTORY);
    assertThat(Statx.typeOfMode(0120777)).isEqualTo(EntryType.SYMLINK);
    assertThat(Statx.typeOfMode(0010644)).isEqualTo(EntryType.SPECIAL);
    assertThat(Statx.typeOfMode(0020620)).isEqualTo(EntryType.SPECIAL);
  }
}
