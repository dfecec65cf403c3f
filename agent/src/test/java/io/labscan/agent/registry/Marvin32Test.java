package io.labscan.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Marvin32 against the published test vectors (.NET runtime, skeeto/marvin32). */
class Marvin32Test {
  private static final long SEED0 = 0x004fb61a001bdbccL;

  private static long hash(byte[] data, long seed) {
    return Marvin32.hash(data, 0, data.length, seed);
  }

  @Test
  void everyTailLengthMatchesTheReferenceVectors() {
    assertThat(hash(new byte[0], SEED0)).isEqualTo(0x30ed35c100cd3c7dL);
    assertThat(hash(new byte[] {(byte) 0xaf}, SEED0)).isEqualTo(0x48e73fc77d75ddc1L);
    assertThat(hash(new byte[] {(byte) 0xe7, 0x0f}, SEED0)).isEqualTo(0xb5f6e1fc485dbff8L);
    assertThat(hash(new byte[] {0x37, (byte) 0xf4, (byte) 0x95}, SEED0)).isEqualTo(0xf0b07c789b8cf7e8L);
    assertThat(hash(new byte[] {(byte) 0x86, 0x42, (byte) 0xdc, 0x59}, SEED0)).isEqualTo(0x7008f2e87e9cf556L);
    assertThat(hash(new byte[] {0x15, 0x3f, (byte) 0xb7, (byte) 0x98, 0x26}, SEED0)).isEqualTo(0xe6c08c6da2afa997L);
    assertThat(hash(new byte[] {0x09, 0x32, (byte) 0xe6, 0x24, 0x6c, 0x47}, SEED0)).isEqualTo(0x6f04bf1a5ea24060L);
    assertThat(hash(new byte[] {(byte) 0xab, 0x42, 0x7e, (byte) 0xa8, (byte) 0xd1, 0x0f, (byte) 0xc7}, SEED0))
        .isEqualTo(0xe11847e4f0678c41L);
  }

  @Test
  void longerInputsMatchTheReferenceVectors() {
    assertThat(hash("abc".getBytes(StandardCharsets.US_ASCII), 0xd53cd9cecd0893b7L)).isEqualTo(0x22c74339492769bfL);
    assertThat(hash("abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII), 0xddddeeeeffff000L))
        .isEqualTo(0xa128eb7e7260aca2L);
  }

  @Test
  void onlyTheGivenRangeIsHashed() {
    byte[] framed = {9, 9, (byte) 0xaf, 9};

    assertThat(Marvin32.hash(framed, 2, 1, SEED0)).isEqualTo(0x48e73fc77d75ddc1L);
  }
}
