package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.Audit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When subscribed reports are due, and that each period is sent once: across failures and restarts. */
class ReportScheduleTest {
  static final String MANAGER = "physics-manager";
  static final String PASSWORD = "correct horse battery";
  static final Principal PHYSICS_MANAGER = Principal.user(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS));

  /**
   * The office address is the manager's own verified account address here, so it needs no
   * confirmation mail (ReportConfirmationsTest covers confirmation): these tests are about when.
   */
  static final VerifiedEmails OWN_ADDRESS = user -> Optional.of("physics-office@campus.example");

  @TempDir Path dir;

  private static Subscription subscription(Cadence cadence, String created) {
    return new Subscription("s-1", MANAGER, "physics-office@campus.example", Optional.of(LabWeek.PHYSICS), cadence,
        Instant.parse(created), "", Optional.empty());
  }

  private static DateRange range(String from, String to) {
    return new DateRange(LocalDate.parse(from), LocalDate.parse(to));
  }

  @Test
  void aWeeklyReportIsDueOnceTheFirstWeekEndingAfterTheSubscriptionIsOver() {
    Subscription wednesday = subscription(Cadence.WEEKLY, "2026-11-04T10:00:00Z");
    assertThat(ReportSubscriptions.due(wednesday, Instant.parse("2026-11-08T23:59:59Z"), Set.of())).isEmpty();
    assertThat(ReportSubscriptions.due(wednesday, Instant.parse("2026-11-09T00:00:00Z"), Set.of()))
        .containsExactly(range("2026-11-02", "2026-11-09"));
    assertThat(ReportSubscriptions.due(wednesday, Instant.parse("2026-11-09T00:00:00Z"),
        Set.of(LocalDate.parse("2026-11-02")))).isEmpty();
  }

  @Test
  void aMonthlyReportCatchesUpOnMissedMonthsButNotBeyondThreePeriods() {
    Subscription october = subscription(Cadence.MONTHLY, "2026-10-15T08:00:00Z");
    assertThat(ReportSubscriptions.due(october, Instant.parse("2026-12-07T06:00:00Z"), Set.of()))
        .containsExactly(range("2026-10-01", "2026-11-01"), range("2026-11-01", "2026-12-01"));
    Subscription old = subscription(Cadence.WEEKLY, "2025-01-01T00:00:00Z");
    assertThat(ReportSubscriptions.due(old, Instant.parse("2026-12-07T06:00:00Z"), Set.of()))
        .containsExactly(range("2026-11-16", "2026-11-23"), range("2026-11-23", "2026-11-30"),
            range("2026-11-30", "2026-12-07"));
  }

  /** Records every mail; fails while {@link #down} is set. */
  static final class Outbox implements ReportMailer {
    final List<Mail> sent = new CopyOnWriteArrayList<>();
    volatile boolean down;

    @Override
    public String send(Mail mail) {
      if (down) {
        throw new ReportMailException("the relay smtp.campus.example:587 did not answer", new java.io.IOException());
      }
      sent.add(mail);
      return "<" + sent.size() + "@labscan.test>";
    }
  }

  @Test
  void aSentPeriodIsNotSentAgainAfterARestartAndAFailedOneIsNotSkipped() {
    Path db = dir.resolve("controller.db");
    Outbox outbox = new Outbox();
    List<String> audited = new CopyOnWriteArrayList<>();
    Audit audit = (actor, action, target, detail, source) -> audited.add(action + " " + detail);
    try (LabWeek week = new LabWeek(db)) {
      Accounts accounts = new Accounts(week.store, 4, week.clock);
      accounts.add(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), PASSWORD, false);
      ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock, OWN_ADDRESS);
      subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
          "physics-office@campus.example");
      week.play();
      ReportDelivery delivery = new ReportDelivery(subscriptions, new ComplianceReports(week.fleet), accounts,
          outbox, audit, week.clock);

      outbox.down = true;
      assertThat(delivery.runOnce()).isZero();
      assertThat(subscriptions.all()).singleElement()
          .satisfies(s -> assertThat(s.lastError()).contains("did not answer"));
      outbox.down = false;
      assertThat(delivery.runOnce()).isEqualTo(1);
      assertThat(delivery.runOnce()).isZero();
    }
    assertThat(outbox.sent).singleElement().satisfies(m -> {
      assertThat(m.to()).isEqualTo("physics-office@campus.example");
      assertThat(m.subject()).isEqualTo("LabScan weekly compliance report: physics-lab, 2026-11-02 to 2026-11-08");
      assertThat(m.csvName()).isEqualTo("labscan-compliance-physics-lab-2026-11-02-2026-11-09.csv");
      assertThat(new String(m.csv(), StandardCharsets.UTF_8)).contains("\"missed-scans\",\"\",\"physics-lab\",")
          .doesNotContain("chem-pc");
      assertThat(m.text()).contains("Period: 2026-11-02 to 2026-11-08 (7 days, UTC)", "phys-pc-02");
    });
    assertThat(audited).anyMatch(a -> a.startsWith("report.send failed weekly report of physics-lab"))
        .anyMatch(a -> a.startsWith("report.send sent weekly report of physics-lab"));

    // A restart: a new controller over the same file, a week later.
    try (LabWeek restarted = new LabWeek(db)) {
      restarted.clock.advance(Duration.between(restarted.clock.instant(), Instant.parse("2026-11-09T08:00:00Z")));
      Accounts accounts = new Accounts(restarted.store, 4, restarted.clock);
      ReportSubscriptions subscriptions = new ReportSubscriptions(restarted.store, restarted.clock, OWN_ADDRESS);
      ReportDelivery delivery = new ReportDelivery(subscriptions, new ComplianceReports(restarted.fleet), accounts,
          outbox, audit, restarted.clock);
      assertThat(delivery.runOnce()).as("the week was sent before the restart").isZero();
      restarted.clock.advance(Duration.ofDays(7));
      assertThat(delivery.runOnce()).isEqualTo(1);
      assertThat(outbox.sent.get(1).subject()).endsWith("2026-11-09 to 2026-11-15");
    }
  }

  @Test
  void aLabManagerWhoLostTheLabGetsNothingAndTheSubscriptionSaysWhy() {
    Outbox outbox = new Outbox();
    try (LabWeek week = new LabWeek(dir.resolve("controller.db"))) {
      Accounts accounts = new Accounts(week.store, 4, week.clock);
      accounts.add(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), PASSWORD, false);
      ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock, OWN_ADDRESS);
      subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
          "physics-office@campus.example");
      week.play();
      accounts.setRole(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.CHEMISTRY));
      ReportDelivery delivery = new ReportDelivery(subscriptions, new ComplianceReports(week.fleet), accounts,
          outbox, Audit.none(), week.clock);
      assertThat(delivery.runOnce()).isZero();
      assertThat(outbox.sent).isEmpty();
      assertThat(subscriptions.all().get(0).lastError()).isEqualTo("the user physics-manager may no longer see this lab");
    }
  }

  @Test
  void aRemovedUsersSubscriptionsGoWithItAndNeverPassToTheNextUserOfThatName() {
    try (LabWeek week = new LabWeek(dir.resolve("controller.db"))) {
      Accounts accounts = new Accounts(week.store, 4, week.clock);
      accounts.add(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), PASSWORD, false);
      ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock, OWN_ADDRESS);
      subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
          "old-manager@gmail.example");

      accounts.remove(MANAGER);
      accounts.add(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), PASSWORD, false);

      assertThat(subscriptions.all()).isEmpty();
      assertThat(subscriptions.list(PHYSICS_MANAGER)).isEmpty();
    }
  }

  @Test
  void subscribingIsRefusedForAnotherLabAllLabsAsALabManagerAndABadAddress() {
    try (LabWeek week = new LabWeek(dir.resolve("controller.db"))) {
      ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock, OWN_ADDRESS);
      assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.CHEMISTRY),
          Cadence.WEEKLY, "a@campus.example")).hasMessage("lab: 'chemistry' is not one of your labs");
      assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.empty(), Cadence.WEEKLY,
          "a@campus.example")).hasMessageStartingWith("lab: only admins subscribe to the report of every lab");
      assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
          "a@campus.example\r\nBcc: everyone@campus.example")).hasMessageStartingWith("email: must be one address");
      assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
          "Eve <eve@evil.example>")).hasMessageStartingWith("email: must be one address");
      assertThatThrownBy(() -> subscriptions.subscribe(Principal.user("v", Role.VIEWER, Set.of()),
          Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, "v@campus.example"))
          .hasMessage("subscribing to reports needs the lab-manager or admin role");
      subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.MONTHLY, "a@campus.example");
      assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS),
          Cadence.MONTHLY, "a@campus.example")).hasMessage("email: a@campus.example is subscribed to this report already");
    }
  }
}
