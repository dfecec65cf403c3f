package io.labscan.agent.checks.artifacts.walk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FileNamesTest {
  @Test
  void asciiNamesAreShownAsTheyAre() {
    assertThat(FileNames.display("WINKABCD.EXE".getBytes(StandardCharsets.US_ASCII))).isEqualTo("WINKABCD.EXE");
  }

  @Test
  void validUtf8IsDecoded() {
    assertThat(FileNames.display("Dokumente und Einstellungen/Ärger.exe".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("Dokumente und Einstellungen/Ärger.exe");
  }

  @Test
  void eachByteOfAnInvalidSequenceIsShownAsHex() {
    byte[] latin1 = "café.exe".getBytes(StandardCharsets.ISO_8859_1);

    assertThat(FileNames.display(latin1)).isEqualTo("caf\\xe9.exe");
  }

  @Test
  void aTruncatedSequenceAtTheEndIsShownAsHex() {
    byte[] truncated = {'a', (byte) 0xe2, (byte) 0x82};

    assertThat(FileNames.display(truncated)).isEqualTo("a\\xe2\\x82");
  }

  @Test
  void twoNamesThatDifferOnlyInInvalidBytesStayDifferent() {
    assertThat(FileNames.display(new byte[] {'x', (byte) 0xfe}))
        .isNotEqualTo(FileNames.display(new byte[] {'x', (byte) 0xff}));
  }

  @Test
  void onlyTheGivenRangeIsShown() {
    byte[] listing = "..name\0rest".getBytes(StandardCharsets.US_ASCII);

    assertThat(FileNames.display(listing, 2, 4)).isEqualTo("name");
  }
}
