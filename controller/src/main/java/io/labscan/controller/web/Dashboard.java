package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.alert.AlertDispatcher;
import io.labscan.controller.alert.AlertSink;
import io.labscan.controller.alert.SyslogSink;
import io.labscan.controller.alert.WebhookSink;
import io.labscan.controller.campaign.AgentCommands;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.metrics.ControllerMetrics;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything people see of a running controller, started beside it: the web server, scan
 * campaigns, alerts, metrics and the hourly compliance snapshot.
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

  private final WebServer web;
  private final CampaignService campaigns;
  private final AlertDispatcher alerts;
  private final ScheduledExecutorService snapshots;

  private Dashboard(WebServer web, CampaignService campaigns, AlertDispatcher alerts,
      ScheduledExecutorService snapshots) {
    this.web = web;
    this.campaigns = campaigns;
    this.alerts = alerts;
    this.snapshots = snapshots;
  }

  /**
   * Starts the dashboard for a running controller. The first start creates the user "admin"
   * and prints its generated password once on {@code console}.
   */
  public static Dashboard start(String bind, int port, DashboardOptions options, ControllerRuntime controller,
      TriageRunner triage, Clock clock, PrintStream console) {
    return start(bind, port, options, controller, triage, List.of(), clock, console);
  }

  /**
   * As above; {@code commandLineTrust} are the {@code serve --trust} entries the Settings page
   * shows beside the stored ones (and cannot remove).
   */
  public static Dashboard start(String bind, int port, DashboardOptions options, ControllerRuntime controller,
      TriageRunner triage, List<String> commandLineTrust, Clock clock, PrintStream console) {
    return start(bind, port, options, controller, triage, commandLineTrust, List::of, clock, console);
  }

  /**
   * As above; {@code mailboxes} says how the watch of each complaint mailbox is doing (the
   * Complaints page lists the complaints stored in the database in any case).
   */
  public static Dashboard start(String bind, int port, DashboardOptions options, ControllerRuntime controller,
      TriageRunner triage, List<String> commandLineTrust,
      java.util.function.Supplier<List<io.labscan.controller.complaint.MailboxStatus>> mailboxes, Clock clock,
      PrintStream console) {
    requireNonNull(options, "options");
    requireNonNull(mailboxes, "mailboxes");
    requireNonNull(controller, "controller");
    List<AlertSink> sinks = new ArrayList<>();
    options.alertWebhook().ifPresent(url -> sinks.add(new WebhookSink(url)));
    options.alertSyslog().ifPresent(target -> sinks.add(SyslogSink.parse(target)));
    AlertDispatcher alerts = new AlertDispatcher(sinks);
    controller.verdicts().addListener(alerts);
    controller.keyConflicts().ifPresent(conflicts -> conflicts.addListener((hostId, detail, at) ->
        alerts.raise(io.labscan.controller.alert.Alert.twoKeys(hostId,
            controller.store().host(hostId).map(h -> h.hostname()).orElse(""),
            controller.store().verdict(hostId).map(v -> v.verdict()).orElse(Verdict.UNKNOWN), at, detail))));
    sinks.forEach(s -> log.info("Alerts go to {}", s.describe()));

    LabRules labRules = new LabRules(controller.store(), clock);
    Fleet fleet = new Fleet(controller.store(), labRules, VerdictPolicy.defaults(), clock);
    CampaignService campaigns = new CampaignService(controller.store(), AgentCommands.of(controller.commands()),
        fleet.targets(), clock);
    ControllerMetrics metrics = new ControllerMetrics(() -> controller.commands().connectedHosts().size(),
        () -> verdictCounts(controller.store().verdicts()), controller.store()::databaseBytes,
        controller::prunedRows);
    controller.ingestor().addListener(metrics);
    io.labscan.controller.complaint.ComplaintsView complaints =
        io.labscan.controller.complaint.ComplaintsView.of(controller.store(), mailboxes, clock);
    metrics.complaintsPerDay(complaints::perDay);
    ComplianceHistory history = new ComplianceHistory(fleet);
    ScheduledExecutorService snapshots = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "labscan-compliance-snapshot");
      t.setDaemon(true);
      return t;
    });
    try {
      Accounts accounts = new Accounts(controller.store(), Accounts.DEFAULT_COST, clock);
      Optional<String> firstPassword = accounts.createFirstAdminIfNone();
      campaigns.start();
      WebServer web = WebServer.start(new WebServer.Config(bind, port, options.secureCookies(),
          options.httpHosts(), options.trustedProxies()),
          new WebServer.Services(fleet, history, accounts, new Sessions(controller.store(), clock), new LoginThrottle(clock),
              triage, campaigns, metrics,
              new TrustSettings(new TrustedMtas(controller.store(), clock), commandLineTrust), complaints));
      firstPassword.ifPresent(password -> {
        console.println("labscan-controller: created web UI user '" + Accounts.FIRST_ADMIN + "' (admin) with password");
        console.println("    " + password);
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "<this host>"
            : bind.indexOf(':') >= 0 ? "[" + bind + "]" : bind;
        console.println("  It is shown only this once. Log in at http://" + host + ":" + web.port()
            + "/login and add users with 'labscan-controller user add'.");
      });
      snapshots.scheduleWithFixedDelay(() -> {
        try {
          history.snapshot();
        } catch (RuntimeException e) {
          log.warn("Compliance snapshot failed: {}", e.getMessage());
        }
      }, 1, 60, TimeUnit.MINUTES);
      return new Dashboard(web, campaigns, alerts, snapshots);
    } catch (RuntimeException e) {
      snapshots.shutdownNow();
      campaigns.close();
      alerts.close();
      throw e;
    }
  }

  /** Starts with the defaults: no alerts, triage unavailable, system clock, stderr. */
  public static Dashboard start(String bind, int port, ControllerRuntime controller) {
    return start(bind, port, DashboardOptions.defaults(), controller, TriageRunner.unavailable(),
        Clock.systemUTC(), System.err);
  }

  static Map<Verdict, Integer> verdictCounts(List<VerdictRecord> verdicts) {
    Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
    verdicts.forEach(v -> counts.merge(v.verdict(), 1, Integer::sum));
    return counts;
  }

  /** Where alerts go (the complaint watch raises its own). */
  public AlertDispatcher alerts() {
    return alerts;
  }

  public int port() {
    return web.port();
  }

  @Override
  public void close() {
    snapshots.shutdownNow();
    web.close();
    campaigns.close();
    alerts.close();
  }
}
