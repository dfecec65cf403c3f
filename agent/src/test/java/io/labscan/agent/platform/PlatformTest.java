package io.labscan.agent.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlatformTest {

  @Test
  void windowsVersionsAllNameWindows() {
    assertThat(Platform.fromOsName("Windows 11")).isEqualTo(Platform.WINDOWS);
    assertThat(Platform.fromOsName("Windows Server 2022")).isEqualTo(Platform.WINDOWS);
  }

  @Test
  void linuxAndMacAreRecognisedWhateverTheCase() {
    assertThat(Platform.fromOsName("Linux")).isEqualTo(Platform.LINUX);
    assertThat(Platform.fromOsName("LINUX")).isEqualTo(Platform.LINUX);
    assertThat(Platform.fromOsName("Mac OS X")).isEqualTo(Platform.MACOS);
  }

  @Test
  void anUnknownOrMissingSystemTakesThePortablePaths() {
    assertThat(Platform.fromOsName("FreeBSD")).isEqualTo(Platform.OTHER);
    assertThat(Platform.fromOsName("")).isEqualTo(Platform.OTHER);
  }

  @Test
  void theRunningJvmIsDetectedOnceFromItsOsName() {
    assertThat(Platform.current()).isEqualTo(Platform.fromOsName(System.getProperty("os.name", "")));
  }
}
