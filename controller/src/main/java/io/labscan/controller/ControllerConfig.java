package io.labscan.controller;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.Pruner;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.controller.verdict.VerdictPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * What a {@link Controller} is built from. Built with {@link #builder(Path)}; every setter
 * refuses a bad value at once, naming the argument, so a wrong setting fails where it is made
 * and not in a background thread hours later.
 *
 * @param database the SQLite file
 * @param clock every time the controller reads
 * @param verdictPolicy the verdict thresholds
 * @param trust MTAs trusted from the command line ({@code serve --trust}), beside the stored ones
 * @param alertWebhook where alerts are POSTed, if anywhere
 * @param alertSyslog the syslog target alerts go to, if any
 * @param retention the daily prune's settings; empty: no daily prune
 * @param changePoll how often the change feed polls the database for commits by other processes
 *     ({@link io.labscan.controller.jobs.ChangeFeed#POLL}); on PostgreSQL a notification
 *     ({@code LISTEN}) makes it poll at once, so this is only the fallback there
 */
public record ControllerConfig(Path database, Clock clock, VerdictPolicy verdictPolicy, TrustConfig trust,
    Optional<URI> alertWebhook, Optional<String> alertSyslog, Optional<Pruner.Retention> retention,
    java.time.Duration changePoll) {

  public ControllerConfig {
    requireNonNull(database, "database");
    requireNonNull(clock, "clock");
    requireNonNull(verdictPolicy, "verdictPolicy");
    requireNonNull(trust, "trust");
    requireNonNull(alertWebhook, "alertWebhook");
    requireNonNull(alertSyslog, "alertSyslog");
    requireNonNull(retention, "retention");
    requireNonNull(changePoll, "changePoll");
    if (changePoll.isZero() || changePoll.isNegative()) {
      throw new IllegalArgumentException("changePoll must be positive: " + changePoll);
    }
  }

  /** A configuration for {@code database} with the defaults: system UTC clock, no alerts, no prune. */
  public static Builder builder(Path database) {
    return new Builder(database);
  }

  /** Builds a {@link ControllerConfig}. */
  public static final class Builder {
    private final Path database;
    private Clock clock = Clock.systemUTC();
    private VerdictPolicy verdictPolicy = VerdictPolicy.defaults();
    private TrustConfig trust = TrustConfig.none();
    private Optional<URI> alertWebhook = Optional.empty();
    private Optional<String> alertSyslog = Optional.empty();
    private Optional<Pruner.Retention> retention = Optional.empty();
    private java.time.Duration changePoll = io.labscan.controller.jobs.ChangeFeed.POLL;

    private Builder(Path database) {
      this.database = requireNonNull(database, "database");
    }

    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    public Builder verdictPolicy(VerdictPolicy verdictPolicy) {
      this.verdictPolicy = requireNonNull(verdictPolicy, "verdictPolicy");
      return this;
    }

    public Builder trust(TrustConfig trust) {
      this.trust = requireNonNull(trust, "trust");
      return this;
    }

    public Builder alertWebhook(Optional<URI> alertWebhook) {
      this.alertWebhook = requireNonNull(alertWebhook, "alertWebhook");
      return this;
    }

    public Builder alertSyslog(Optional<String> alertSyslog) {
      this.alertSyslog = requireNonNull(alertSyslog, "alertSyslog");
      return this;
    }

    public Builder retention(Pruner.Retention retention) {
      this.retention = Optional.of(requireNonNull(retention, "retention"));
      return this;
    }

    /** How often the change feed polls (default {@link io.labscan.controller.jobs.ChangeFeed#POLL}). */
    public Builder changePoll(java.time.Duration changePoll) {
      requireNonNull(changePoll, "changePoll");
      if (changePoll.isZero() || changePoll.isNegative()) {
        throw new IllegalArgumentException("changePoll must be positive: " + changePoll);
      }
      this.changePoll = changePoll;
      return this;
    }

    public ControllerConfig build() {
      return new ControllerConfig(database, clock, verdictPolicy, trust, alertWebhook, alertSyslog, retention,
          changePoll);
    }
  }
}
