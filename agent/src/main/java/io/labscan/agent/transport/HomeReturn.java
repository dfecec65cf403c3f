package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * When an agent that failed over away from its home controller goes back to it
 * ({@link ControllerClient#returnHome}): the decisions only, no threads, no sockets, so the rules
 * are tested on their own.
 *
 * <p><b>Why return at all.</b> Each host has a home controller ({@link ControllerTargets#forHost});
 * when one dies its agents spread over the others, and without returning they stay there until
 * they restart, so a controller that comes back stays empty and the fleet piles up on the
 * survivors. So while away, the agent probes home every {@link Settings#period()} (jittered ±25 %,
 * so a fleet does not probe in step), one probe at a time, with one heartbeat on a channel of its
 * own: home is healthy when it answers it, database included.
 *
 * <p><b>Why not at the first answer.</b> A controller that is restarting, or crashing and being
 * restarted by its service manager, answers between failures; agents that jumped back at every
 * answer would oscillate with it and bring a thundering herd each time. Two rules keep them calm:
 * <ul>
 *   <li><b>Settle</b>: home must answer probes continuously for {@link Settings#settle()} (a
 *       first answer, then another at least that long after it, no failure between) before the
 *       agent moves back.</li>
 *   <li><b>Back off on flaps</b>: an agent that has to leave home again within
 *       {@link Settings#maxPeriod()} of returning doubles its probe period (up to that maximum);
 *       a return that lasted longer puts the period back to its start.</li>
 * </ul>
 * So a home that fails every few minutes gets its agents back less and less often, and a home
 * that merely answers now and then never gets them.
 */
public final class HomeReturn {

  /**
   * @param period how often home is probed while the agent is away (before any back-off)
   * @param settle how long home must answer continuously before the agent moves back
   * @param maxPeriod the longest probe period after back-offs; a return lasting this long is stable
   */
  public record Settings(Duration period, Duration settle, Duration maxPeriod) {
    /** Every 5 minutes, healthy for a minute, backing off up to an hour. */
    public static final Settings DEFAULT = new Settings(Duration.ofMinutes(5), Duration.ofMinutes(1),
        Duration.ofHours(1));

    public Settings {
      requireNonNull(period, "period");
      requireNonNull(settle, "settle");
      requireNonNull(maxPeriod, "maxPeriod");
      if (period.isNegative() || period.isZero() || settle.isNegative() || maxPeriod.compareTo(period) < 0) {
        throw new IllegalArgumentException("home return: period must be positive, settle not negative and "
            + "maxPeriod at least period: " + period + ", " + settle + ", " + maxPeriod);
      }
    }
  }

  /** What to do after a probe. */
  public enum Decision {
    STAY,
    RETURN
  }

  private final Settings settings;
  private Duration period;
  /** When home started answering, during the settle; null otherwise. */
  private @Nullable Instant healthySince;
  /** When the agent last moved back home; null when it has left since (or never returned). */
  private @Nullable Instant returnedAt;

  public HomeReturn(Settings settings) {
    this.settings = requireNonNull(settings, "settings");
    this.period = settings.period();
  }

  /** The probe period now (grows with flaps). */
  public synchronized Duration period() {
    return period;
  }

  /**
   * How long to wait before the next probe, {@code random} uniform in {@code [0, 1)}: the period,
   * jittered ±25 %, or, while home settles, the settle time (up to 25 % more, never less, so the
   * second answer is far enough from the first).
   */
  public synchronized Duration nextDelay(double random) {
    if (healthySince != null) {
      return scaled(settings.settle().isZero() ? Duration.ofMillis(1) : settings.settle(), 1.0 + 0.25 * random);
    }
    return scaled(period, 0.75 + 0.5 * random);
  }

  /** A probe of home ended, answered ({@code healthy}) or not, at {@code now}. */
  public synchronized Decision probed(boolean healthy, Instant now) {
    requireNonNull(now, "now");
    if (!healthy) {
      healthySince = null;
      return Decision.STAY;
    }
    Instant since = healthySince;
    if (since == null) {
      healthySince = now;
      return settings.settle().isZero() ? returned(now) : Decision.STAY;
    }
    return Duration.between(since, now).compareTo(settings.settle()) >= 0 ? returned(now) : Decision.STAY;
  }

  private Decision returned(Instant now) {
    healthySince = null;
    returnedAt = now;
    return Decision.RETURN;
  }

  /**
   * The agent left home at {@code now} (failed over away from it): a flap when it had returned
   * less than {@link Settings#maxPeriod()} ago (the period doubles), otherwise the period starts
   * over.
   */
  public synchronized void leftHome(Instant now) {
    requireNonNull(now, "now");
    healthySince = null;
    Instant back = returnedAt;
    returnedAt = null;
    if (back != null && Duration.between(back, now).compareTo(settings.maxPeriod()) < 0) {
      Duration doubled = period.multipliedBy(2);
      period = doubled.compareTo(settings.maxPeriod()) > 0 ? settings.maxPeriod() : doubled;
    } else {
      period = settings.period();
    }
  }

  private static Duration scaled(Duration d, double factor) {
    return Duration.ofMillis(Math.max(1, Math.round(d.toMillis() * factor)));
  }
}
