package io.labscan.agent.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JitterTest {
  private static final Duration WINDOW = Duration.ofMinutes(90);

  private static String hostId(int i) {
    return UUID.nameUUIDFromBytes(("lab-host-" + i).getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Test
  void sameHostAlwaysGetsTheSameOffset() {
    assertThat(Jitter.forHost(hostId(7), WINDOW)).isEqualTo(Jitter.forHost(hostId(7), WINDOW));
  }

  @Test
  void offsetsStayInsideTheWindow() {
    for (int i = 0; i < 1000; i++) {
      assertThat(Jitter.forHost(hostId(i), WINDOW)).isBetween(Duration.ZERO, WINDOW);
    }
  }

  @Test
  void offsetsOfManyHostsSpreadRoughlyEvenlyOverTheWindow() {
    int hosts = 3000;
    int buckets = 9; // ten minutes each
    int[] counts = new int[buckets];
    for (int i = 0; i < hosts; i++) {
      long seconds = Jitter.forHost(hostId(i), WINDOW).toSeconds();
      counts[(int) Math.min(buckets - 1, seconds * buckets / (WINDOW.toSeconds() + 1))]++;
    }
    int expected = hosts / buckets;
    for (int c : counts) {
      assertThat(c).isBetween(expected * 3 / 4, expected * 5 / 4);
    }
  }

  @Test
  void zeroWindowMeansNoJitter() {
    assertThat(Jitter.forHost(hostId(1), Duration.ZERO)).isZero();
  }
}
