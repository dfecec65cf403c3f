package io.labscan.controller.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.campaign.Campaign;
import io.labscan.controller.store.postgres.PostgresSingletonLocks;
import io.labscan.testsupport.MutableClock;
import io.labscan.testsupport.PostgresStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two controllers on one real PostgreSQL database (issue 20), in one JVM, each with its own
 * pools and its own lock session, as two {@code serve} processes would have: each once-only job
 * runs on exactly one of them, and a survivor takes over within a minute when the holder's lock
 * session ends.
 */
class SingletonJobsOnPostgresTest {
  /** A takeover happens within this (the locks are retried every 10 s). */
  static final Duration TAKEOVER = Duration.ofSeconds(60);
  /** Every year on 1 January, 09:00 UTC: never due in real time while the test runs. */
  static final String NEW_YEAR = "0 0 9 1 1 ?";

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T08:00:00Z"));
  private final List<Controller> controllers = new ArrayList<>();

  @BeforeEach
  void database() {
    PostgresStorage.database(dir.resolve("fleet"));
  }

  @AfterEach
  void stop() {
    controllers.forEach(Controller::close);
  }

  private Controller controller(String name) {
    Controller c = Controller.open(ControllerConfig.builder(dir.resolve(name)).clock(clock).build(),
        PostgresStorage.open(dir.resolve("fleet")));
    controllers.add(c);
    return c;
  }

  private static final List<String> ONCE = List.of(SingletonLocks.VERDICT_SWEEPS, SingletonLocks.CAMPAIGN_TRIGGERS,
      SingletonLocks.COMPLIANCE_SNAPSHOTS);

  private static long holders(String job, Controller... cs) {
    return Stream.of(cs).filter(c -> c.singletons().held(job)).count();
  }

  private static Controller holder(String job, Controller a, Controller b) {
    return a.singletons().held(job) ? a : b;
  }

  /** Ends the holder's lock session from the server side, as a broken network or an operator would. */
  private static void terminateLockSession(Controller c) throws Exception {
    int pid = ((PostgresSingletonLocks) c.singletons()).backendPid().orElseThrow();
    try (Connection su = PostgresStorage.server().superuser("postgres");
        PreparedStatement ps = su.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.execute();
    }
  }

  private static String scrape(Controller c) {
    return new String(c.metrics().scrape(), StandardCharsets.UTF_8);
  }

  @Test
  void eachOnceOnlyJobIsHeldByExactlyOneOfTwoControllers() {
    Controller a = controller("a");
    Controller b = controller("b");
    a.startBackgroundJobs();
    b.startBackgroundJobs();

    assertThat(a.singletons().jobs()).containsAll(ONCE);
    assertThat(b.singletons().jobs()).containsAll(ONCE);
    await().atMost(TAKEOVER).untilAsserted(() -> {
      for (String job : ONCE) {
        assertThat(holders(job, a, b)).as(job).isEqualTo(1);
      }
    });
    for (String job : ONCE) {
      Controller holder = holder(job, a, b);
      Controller other = holder == a ? b : a;
      assertThat(holder.singletons().mayRun(job)).as(job).isTrue();
      assertThat(other.singletons().mayRun(job)).as(job).isFalse();
    }
  }

  @Test
  void metricsShowWhichControllerHoldsEachJob() {
    Controller a = controller("a");
    Controller b = controller("b");
    a.startBackgroundJobs();
    b.startBackgroundJobs();
    await().atMost(TAKEOVER).until(() -> ONCE.stream().allMatch(job -> holders(job, a, b) == 1));

    String sweeps = "labscan_singleton_job_held{job=\"verdict sweeps\"}";
    String onHolder = scrape(holder(SingletonLocks.VERDICT_SWEEPS, a, b));
    String onOther = scrape(holder(SingletonLocks.VERDICT_SWEEPS, a, b) == a ? b : a);
    assertThat(onHolder).contains(sweeps + " 1.0");
    assertThat(onOther).contains(sweeps + " 0.0");
    assertThat(onHolder).contains("labscan_controller_instance_info{instance=\""
        + holder(SingletonLocks.VERDICT_SWEEPS, a, b).singletons().instanceId() + "\"} 1.0");
    assertThat(a.singletons().instanceId()).isNotEqualTo(b.singletons().instanceId());
  }

  @Test
  void aMissedCampaignRunIsFiredByOneControllerAndAgainAfterATakeover() throws Exception {
    Controller a = controller("a");
    Campaign yearly = a.campaigns().create("new-year scan", Optional.empty(), Optional.of(NEW_YEAR), "UTC",
        "it-staff");
    clock.advance(Duration.ofHours(2)); // 09:00 fell due while no controller ran
    Controller b = controller("b");
    a.startBackgroundJobs();
    b.startBackgroundJobs();

    await().atMost(TAKEOVER).until(() -> holders(SingletonLocks.CAMPAIGN_TRIGGERS, a, b) == 1);
    await().atMost(TAKEOVER).until(() -> a.campaigns().runs(yearly.campaignId(), 10).size() == 1);

    // A year later the next run falls due while the holder's lock session is gone.
    clock.advance(Duration.ofDays(365).plusMinutes(30));
    Controller holder = holder(SingletonLocks.CAMPAIGN_TRIGGERS, a, b);
    terminateLockSession(holder);

    await().atMost(TAKEOVER).until(() -> holders(SingletonLocks.CAMPAIGN_TRIGGERS, a, b) == 1);
    await().atMost(TAKEOVER).until(() -> a.campaigns().runs(yearly.campaignId(), 10).size() == 2);
    assertThat(b.campaigns().runs(yearly.campaignId(), 10)).extracting(r -> r.firedBy())
        .allSatisfy(by -> assertThat(by).startsWith("schedule (catch-up of 20"));
  }

  @Test
  void aControllerWhoseLockSessionEndsStopsRunningItsJobsAtOnce() throws Exception {
    Controller a = controller("a");
    Controller b = controller("b");
    a.startBackgroundJobs();
    b.startBackgroundJobs();
    await().atMost(TAKEOVER).until(() -> holders(SingletonLocks.VERDICT_SWEEPS, a, b) == 1);
    Controller holder = holder(SingletonLocks.VERDICT_SWEEPS, a, b);
    List<String> itsJobs = ONCE.stream().filter(holder.singletons()::held).toList();

    terminateLockSession(holder);

    // The check before each run finds the session gone: no job of it runs any more.
    await().atMost(TAKEOVER).until(() -> !holder.singletons().mayRun(SingletonLocks.VERDICT_SWEEPS));
    for (String job : itsJobs) {
      assertThat(holder.singletons().held(job)).as(job).isFalse();
    }
    // Then one of the two (whichever tries first) holds each job again.
    await().atMost(TAKEOVER).untilAsserted(() -> {
      for (String job : ONCE) {
        assertThat(holders(job, a, b)).as(job).isEqualTo(1);
      }
    });
  }

  @Test
  void theSurvivorTakesOverEveryJobWithinAMinuteWhenTheHolderStops() {
    Controller a = controller("a");
    Controller b = controller("b");
    a.startBackgroundJobs();
    b.startBackgroundJobs();
    await().atMost(TAKEOVER).until(() -> holders(SingletonLocks.VERDICT_SWEEPS, a, b) == 1);
    Controller holder = holder(SingletonLocks.VERDICT_SWEEPS, a, b);
    Controller survivor = holder == a ? b : a;

    holder.close();
    controllers.remove(holder);

    await().atMost(TAKEOVER).untilAsserted(() -> {
      for (String job : ONCE) {
        assertThat(survivor.singletons().held(job)).as(job).isTrue();
      }
    });
    assertThat(scrape(survivor)).contains("labscan_singleton_job_held{job=\"verdict sweeps\"} 1.0");
  }
}
