package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.Audit;
import io.labscan.controller.report.ReportConfirmations.Outcome;
import java.net.URI;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports go only to addresses their owners confirmed: one mail with a single-use, expiring link
 * (only its hash stored), limits per address and per user, the user's own verified address
 * confirmed at once, and nothing inherited by a later user of the same name.
 */
class ReportConfirmationsTest {
  static final String MANAGER = ReportScheduleTest.MANAGER;
  static final String OFFICE = "physics-office@campus.example";
  static final Principal PHYSICS_MANAGER = ReportScheduleTest.PHYSICS_MANAGER;
  static final URI DASHBOARD = URI.create("https://labscan.campus.example/");
  private static final Pattern LINK = Pattern.compile("https://labscan\\.campus\\.example/reports/confirm\\?token=([A-Za-z0-9_-]{43})");

  @TempDir Path dir;
  LabWeek week;
  Accounts accounts;
  ReportScheduleTest.Outbox outbox;

  @BeforeEach
  void start() {
    week = new LabWeek(dir.resolve("controller.db"));
    accounts = new Accounts(week.store, 4, week.clock);
    accounts.add(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), ReportScheduleTest.PASSWORD, false);
    outbox = new ReportScheduleTest.Outbox();
  }

  @AfterEach
  void stop() {
    week.close();
  }

  private ReportDelivery delivery(ReportSubscriptions subscriptions) {
    return new ReportDelivery(subscriptions, new ComplianceReports(week.fleet), accounts, outbox, Audit.none(),
        week.clock, Optional.of(DASHBOARD));
  }

  private static String token(ReportMailer.Mail mail) {
    Matcher m = LINK.matcher(mail.text());
    assertThat(m.find()).as("a confirmation link in %s", mail.text()).isTrue();
    return m.group(1);
  }

  private List<ReportMailer.Mail> confirmationMails() {
    return outbox.sent.stream().filter(m -> m.csvName().isEmpty()).toList();
  }

  private List<ReportMailer.Mail> reports() {
    return outbox.sent.stream().filter(m -> !m.csvName().isEmpty()).toList();
  }

  @Test
  void aNewAddressGetsOneConfirmationMailAndNoReportUntilItsOwnerConfirms() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    Subscription s = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, OFFICE);
    week.play();
    ReportDelivery delivery = delivery(subscriptions);

    assertThat(delivery.runOnce()).as("no report to an unconfirmed address").isZero();
    assertThat(delivery.runOnce()).isZero();
    assertThat(reports()).isEmpty();
    assertThat(confirmationMails()).as("one mail, not one per round").singleElement().satisfies(m -> {
      assertThat(m.to()).isEqualTo(OFFICE);
      assertThat(m.subject()).isEqualTo("Confirm LabScan compliance reports to " + OFFICE);
      assertThat(m.text()).contains("physics-manager asked LabScan", "weekly report of physics-lab",
          "Nothing is sent to this address until you confirm");
    });
    assertThat(subscriptions.confirmations().recipient(s).state(week.clock.instant()))
        .isEqualTo(Recipient.State.PENDING);

    assertThat(subscriptions.confirmations().confirm(token(confirmationMails().get(0))).outcome())
        .isEqualTo(Outcome.CONFIRMED);
    assertThat(delivery.runOnce()).isEqualTo(1);
    assertThat(reports()).singleElement().satisfies(m -> assertThat(m.to()).isEqualTo(OFFICE));
  }

  @Test
  void theLinkWorksOnceAndOnlyForTwoDaysAndOnlyItsHashIsStored() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    Subscription s = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, OFFICE);
    delivery(subscriptions).sendConfirmations();
    String token = token(confirmationMails().get(0));
    assertThat(stored()).containsExactly(ReportConfirmations.sha256(token)).doesNotContain(token);

    week.clock.advance(ReportConfirmations.LINK_VALID.plusMinutes(1));
    assertThat(subscriptions.confirmations().confirm(token).outcome()).isEqualTo(Outcome.EXPIRED);
    assertThat(subscriptions.confirmations().recipient(s).state(week.clock.instant()))
        .isEqualTo(Recipient.State.EXPIRED);

    assertThat(subscriptions.resendConfirmation(PHYSICS_MANAGER, s.subscriptionId())).isPresent();
    delivery(subscriptions).sendConfirmations();
    assertThat(confirmationMails()).hasSize(2);
    String second = token(confirmationMails().get(1));
    assertThat(subscriptions.confirmations().confirm(token).outcome()).as("the old link is dead")
        .isEqualTo(Outcome.UNKNOWN);
    assertThat(subscriptions.confirmations().confirm(second).outcome()).isEqualTo(Outcome.CONFIRMED);
    assertThat(subscriptions.confirmations().confirm(second).outcome()).as("single use").isEqualTo(Outcome.UNKNOWN);
    assertThat(subscriptions.confirmations().confirmed(s)).isTrue();
    assertThatThrownBy(() -> subscriptions.confirmations().confirm("not a token"))
        .hasMessageStartingWith("token: ");
  }

  private List<String> stored() {
    return week.store.read(db -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT token_sha256 FROM report_recipients");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    });
  }

  @Test
  void moreReportsToTheSameAddressNeedNoSecondMail() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, OFFICE);
    delivery(subscriptions).sendConfirmations();
    Subscription monthly = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.MONTHLY,
        OFFICE);
    delivery(subscriptions).sendConfirmations();
    assertThat(confirmationMails()).hasSize(1);
    subscriptions.confirmations().confirm(token(confirmationMails().get(0)));
    assertThat(subscriptions.confirmations().confirmed(monthly)).isTrue();
  }

  @Test
  void anAddressGetsAtMostThreeConfirmationMailsADayHoweverOftenItIsSubscribed() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    for (int i = 0; i < ReportConfirmations.MAX_MAILS_PER_ADDRESS; i++) {
      Subscription s = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
          "victim@elsewhere.example");
      delivery(subscriptions).sendConfirmations();
      subscriptions.unsubscribe(PHYSICS_MANAGER, s.subscriptionId());
      week.clock.advance(Duration.ofMinutes(10));
    }
    assertThat(confirmationMails()).hasSize(ReportConfirmations.MAX_MAILS_PER_ADDRESS);
    assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
        "victim@elsewhere.example")).isInstanceOf(ReportSubscriptions.Refused.class)
        .hasMessage("email: victim@elsewhere.example was sent 3 confirmation mails in the last 24 hours, the most "
            + "LabScan sends to one address; try again tomorrow");
    assertThat(subscriptions.list(PHYSICS_MANAGER)).isEmpty();

    week.clock.advance(Duration.ofHours(24));
    subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, "victim@elsewhere.example");
  }

  @Test
  void caseVariantsOfAnAddressShareItsThreeConfirmationMailsADay() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    for (String variant : List.of("Victim@elsewhere.example", "vIctim@Elsewhere.example", "viCtim@elsewhere.EXAMPLE")) {
      Subscription s = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, variant);
      delivery(subscriptions).sendConfirmations();
      subscriptions.unsubscribe(PHYSICS_MANAGER, s.subscriptionId());
      week.clock.advance(Duration.ofMinutes(10));
    }
    assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
        "VICTIM@elsewhere.example")).isInstanceOf(ReportSubscriptions.Refused.class)
        .hasMessageContaining("confirmation mails in the last 24 hours, the most LabScan sends to one address");
  }

  @Test
  void oneUsersSubscriptionsCauseAtMostTenConfirmationMailsADay() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    for (int i = 0; i < ReportConfirmations.MAX_MAILS_PER_USER; i++) {
      subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
          "person" + i + "@elsewhere.example");
      delivery(subscriptions).sendConfirmations();
    }
    assertThatThrownBy(() -> subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
        "person10@elsewhere.example")).hasMessageContaining("your subscriptions had 10 confirmation mails sent");
  }

  @Test
  void theUsersOwnVerifiedAddressIsConfirmedWithoutAMail() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock,
        user -> user.equals(MANAGER) ? Optional.of("Physics-Manager@campus.example") : Optional.empty());
    Subscription own = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
        "physics-manager@campus.example");
    Subscription other = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
        OFFICE);
    delivery(subscriptions).sendConfirmations();
    assertThat(subscriptions.confirmations().confirmed(own)).isTrue();
    assertThat(subscriptions.confirmations().confirmed(other)).isFalse();
    assertThat(confirmationMails()).singleElement().satisfies(m -> assertThat(m.to()).isEqualTo(OFFICE));
  }

  @Test
  void aLaterUserOfTheSameNameInheritsNoConfirmation() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, OFFICE);
    delivery(subscriptions).sendConfirmations();
    subscriptions.confirmations().confirm(token(confirmationMails().get(0)));
    accounts.remove(MANAGER); // takes the user's subscriptions with it
    accounts.add(MANAGER, Role.LAB_MANAGER, Set.of(LabWeek.PHYSICS), ReportScheduleTest.PASSWORD, false);

    Subscription again = subscriptions.subscribe(PHYSICS_MANAGER, Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY,
        OFFICE);

    assertThat(subscriptions.confirmations().confirmed(again)).isFalse();
    assertThat(subscriptions.confirmations().recipient(again).state(week.clock.instant()))
        .isEqualTo(Recipient.State.MAIL_DUE);
  }

  @Test
  void aSubscriptionFromBeforeConfirmationsExistedGetsItsMailAndWaits() {
    ReportSubscriptions subscriptions = new ReportSubscriptions(week.store, week.clock);
    new SubscriptionRepository(week.store).insert(new Subscription("s-old", MANAGER, OFFICE,
        Optional.of(LabWeek.PHYSICS), Cadence.WEEKLY, week.clock.instant(), "", Optional.empty()));
    week.play();

    assertThat(delivery(subscriptions).runOnce()).isZero();

    assertThat(reports()).isEmpty();
    assertThat(confirmationMails()).singleElement().satisfies(m -> assertThat(m.to()).isEqualTo(OFFICE));
  }
}
