package io.labscan.agent.checks.av;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.proto.v1.AvState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final AvContext CONTEXT =
      new AvContext(Path.of("/"), NOW, Duration.ofDays(3), List.of());

  @Test
  void definitionsExactlyAsOldAsTheLimitAreFresh() {
    Freshness f = Freshness.assess("built", NOW.minus(Duration.ofDays(3)), CONTEXT);

    assertThat(f.state()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(f.ageSeconds()).isEqualTo(Duration.ofDays(3).toSeconds());
  }

  @Test
  void oneSecondPastTheLimitIsStale() {
    Freshness f = Freshness.assess("built",
        NOW.minus(Duration.ofDays(3)).minusSeconds(1), CONTEXT);

    assertThat(f.state()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(f.reason()).isEqualTo("built (3 days ago; limit 3 days)");
  }

  @Test
  void datesSlightlyInTheFutureCountAsJustNow() {
    Freshness f = Freshness.assess("built", NOW.plus(Duration.ofHours(2)), CONTEXT);

    assertThat(f.state()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(f.ageSeconds()).isZero();
    assertThat(f.reason()).isEqualTo("built (less than a minute ago; limit 3 days)");
  }

  @Test
  void datesFarInTheFutureAreUnknownBecauseAClockIsWrong() {
    Freshness f = Freshness.assess("built 2027-06-01", Instant.parse("2027-06-01T00:00:00Z"),
        CONTEXT);

    assertThat(f.state()).isEqualTo(AvState.AV_STATE_UNKNOWN);
    assertThat(f.definitionsTime()).isEmpty();
    assertThat(f.reason()).isEqualTo("built 2027-06-01, after the collection time"
        + " 2026-11-27 12:00 UTC; the machine's clock or the source is wrong");
  }

  @Test
  void datesBeforeAntivirusDefinitionsExistedAreUnknown() {
    Freshness f = Freshness.assess("updated 1601-01-01", Instant.parse("1601-01-01T00:00:00Z"),
        CONTEXT);

    assertThat(f.state()).isEqualTo(AvState.AV_STATE_UNKNOWN);
  }
}
