package io.labscan.agent.checks.av.windows;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class FileTimeTest {

  @Test
  void unixEpochIsTheKnownTickCount() {
    assertThat(FileTime.fromTicks(116_444_736_000_000_000L)).contains(Instant.EPOCH);
  }

  @Test
  void littleEndianBytesAreDecoded() {
    // 0x01DD78C5_6B980C00 ticks, in the byte order RegQueryValueEx returns.
    byte[] bytes = {0x00, 0x0C, (byte) 0x98, 0x6B, (byte) 0xC5, 0x78, (byte) 0xDD, 0x01};

    assertThat(FileTime.fromLittleEndian(bytes))
        .contains(Instant.parse("2026-11-20T08:02:00Z"));
  }

  @Test
  void recordedFixtureRoundTrips() {
    Instant updated = Instant.parse("2026-11-26T21:14:07.1234567Z");

    assertThat(FileTime.fromLittleEndian(RecordedRegistry.fileTime(updated).value()))
        .contains(updated);
  }

  @Test
  void valuesOfOtherLengthsAreRejected() {
    assertThat(FileTime.fromLittleEndian(new byte[4])).isEmpty();
    assertThat(FileTime.fromLittleEndian(null)).isEmpty();
  }

  @Test
  void negativeTickCountsAreRejected() {
    byte[] bytes = {0, 0, 0, 0, 0, 0, 0, (byte) 0x80};

    assertThat(FileTime.fromLittleEndian(bytes)).isEmpty();
  }
}
