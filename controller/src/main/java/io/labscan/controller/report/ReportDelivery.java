package io.labscan.controller.report;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Principal;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.User;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.Actor;
import io.labscan.controller.audit.Audit;
import io.labscan.controller.audit.Source;
import io.labscan.controller.text.Text;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduled-report job ({@code serve} registers {@link #runOnce} every {@link #EVERY} when
 * {@code --report-smtp} is set): for each subscription, each due period is made into a report
 * with the subscriber's scope at sending time, mailed, and recorded as sent right after the
 * relay accepted it.
 *
 * <p>Exactly once, as far as SMTP allows: a period recorded as sent is never due again (a
 * restart resends nothing), and a period not recorded stays due (a restart or a relay outage
 * skips nothing: the next round tries again). The one window left is a crash between the
 * relay's "250 OK" and the commit of the record, milliseconds wide; it resends rather than
 * loses. A failure is kept on the subscription (shown on the Reports page) and audited.
 *
 * <p>Only to confirmed addresses ({@link ReportConfirmations}): each round first sends the
 * confirmation mails that are due, and a subscription whose address is not confirmed waits.
 *
 * <p>A subscriber who was removed, or lost the role or the lab, gets nothing: the failure says
 * why, and the subscription stays until someone removes it.
 */
public final class ReportDelivery {
  private static final Logger log = LoggerFactory.getLogger(ReportDelivery.class);
  /** How often the job looks for due reports. */
  public static final Duration EVERY = Duration.ofMinutes(15);
  /** Reports one round sends at most (the rest wait for the next round). */
  static final int MAX_PER_ROUND = 200;

  private final ReportSubscriptions subscriptions;
  private final ComplianceReports reports;
  private final Accounts accounts;
  private final ReportMailer mailer;
  private final Audit audit;
  private final Clock clock;
  private final Optional<URI> dashboard;

  public ReportDelivery(ReportSubscriptions subscriptions, ComplianceReports reports, Accounts accounts,
      ReportMailer mailer, Audit audit, Clock clock) {
    this(subscriptions, reports, accounts, mailer, audit, clock, Optional.empty());
  }

  /**
   * @param dashboard the dashboard's address, for the link in confirmation mails ({@code serve
   *     --report-dashboard-url}); without it the mail carries a code to enter on its page
   */
  public ReportDelivery(ReportSubscriptions subscriptions, ComplianceReports reports, Accounts accounts,
      ReportMailer mailer, Audit audit, Clock clock, Optional<URI> dashboard) {
    this.dashboard = requireNonNull(dashboard, "dashboard");
    this.subscriptions = requireNonNull(subscriptions, "subscriptions");
    this.reports = requireNonNull(reports, "reports");
    this.accounts = requireNonNull(accounts, "accounts");
    this.mailer = requireNonNull(mailer, "mailer");
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Sends the confirmation mails that are due; returns how many. */
  public synchronized int sendConfirmations() {
    return subscriptions.confirmations().sendDue(mailer, dashboard);
  }

  /**
   * Sends the due confirmation mails, then every due report to a confirmed address; returns how
   * many reports were sent. Failures are recorded, not thrown. A subscription whose address is
   * not confirmed yet waits (its periods stay due, up to {@link ReportSubscriptions#CATCH_UP}).
   */
  public synchronized int runOnce() {
    sendConfirmations();
    int sent = 0;
    for (Subscription s : subscriptions.all()) {
      List<DateRange> due = subscriptions.due(s, clock.instant());
      if (due.isEmpty() || !subscriptions.confirmations().confirmed(s)) {
        continue;
      }
      Optional<Principal> reader = reader(s);
      if (reader.isEmpty()) {
        continue;
      }
      for (DateRange period : due) {
        if (sent >= MAX_PER_ROUND) {
          return sent;
        }
        if (!send(s, reader.get(), period)) {
          break; // later periods wait: they are sent in order
        }
        sent++;
      }
    }
    return sent;
  }

  /** The subscriber as a reader now, or empty (the failure recorded) when they may not read it. */
  private Optional<Principal> reader(Subscription s) {
    Optional<User> user = accounts.find(s.username());
    String problem = null;
    if (user.isEmpty()) {
      problem = "the user " + s.username() + " no longer exists";
    } else if (!user.get().role().covers(Role.LAB_MANAGER)) {
      problem = "the user " + s.username() + " is no longer a lab-manager or admin";
    } else {
      Principal p = Principal.user(s.username(), user.get().role(), accounts.labs(s.username()));
      if (s.lab().isPresent() && !p.sees(s.lab().get())) {
        problem = "the user " + s.username() + " may no longer see this lab";
      } else {
        return Optional.of(p);
      }
    }
    if (!problem.equals(s.lastError())) {
      subscriptions.recordFailure(s, problem);
      log.warn("Scheduled report {} not sent: {}", s.subscriptionId(), problem);
    }
    return Optional.empty();
  }

  private boolean send(Subscription s, Principal reader, DateRange period) {
    ComplianceReport report;
    try {
      report = reports.build(reader, s.lab(), period);
    } catch (ComplianceReports.UnknownLab e) {
      // The lab has no hosts and no snapshots in the period: say so rather than send nothing.
      report = reports.emptyReport(s.lab(), period);
    }
    String csvName = fileName(s.lab(), period);
    ReportMailer.Mail mail = new ReportMailer.Mail(s.email(), subject(s, period), ReportText.render(report),
        csvName, ReportCsv.render(report).getBytes(StandardCharsets.UTF_8));
    String target = s.subscriptionId();
    String what = s.cadence().id() + " report of " + report.scopeName() + " " + period + " to " + s.email();
    try {
      String messageId = mailer.send(mail);
      subscriptions.recordDelivery(s, period, messageId);
      audit.record(Actor.system("report delivery"), Actions.REPORT_SEND, target, "sent " + what,
          Source.system());
      log.info("Sent the {}", what);
      return true;
    } catch (RuntimeException e) {
      // Shown to lab managers (lastError) and kept in the audit log: a short reason in LabScan's
      // words ("authentication refused by the relay (535 5.7.8)"), never the relay's own text,
      // which the relay chooses (long, markup, credentials echoed back); that goes to the log.
      String error = e instanceof ReportMailer.ReportMailException m ? m.reason()
          : "sending failed (" + e.getClass().getSimpleName() + "); the controller log has the details";
      subscriptions.recordFailure(s, error);
      if (!error.equals(s.lastError())) { // a relay down for a day is one entry, not one per round
        audit.record(Actor.system("report delivery"), Actions.REPORT_SEND, target, "failed " + what + ": " + error,
            Source.system());
      }
      log.warn("The {} was not sent (tried again in {}): {}", what, EVERY, e.getMessage(), e);
      return false;
    }
  }

  static String subject(Subscription s, DateRange period) {
    String lab = Text.terminal(s.lab().orElse("all labs"));
    if (lab.length() > 80) {
      lab = lab.substring(0, 80) + "…";
    }
    return "LabScan " + s.cadence().id() + " compliance report: " + lab + ", " + period.from() + " to "
        + period.to().minusDays(1);
  }

  /** {@code labscan-compliance-LAB-FROM-TO.csv}, the lab reduced to letters, digits, dot, dash. */
  public static String fileName(Optional<String> lab, DateRange period) {
    String name = lab.map(l -> l.replaceAll("[^A-Za-z0-9.-]+", "_")).orElse("all-labs");
    if (name.length() > 60) {
      name = name.substring(0, 60);
    }
    return "labscan-compliance-" + name + "-" + period.from() + "-" + period.to() + ".csv";
  }
}
