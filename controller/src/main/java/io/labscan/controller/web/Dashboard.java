package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.Controller;
import io.labscan.controller.account.Accounts;
import io.labscan.controller.oidc.SingleSignOn;
import io.labscan.controller.oidc.SsoAccounts;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictRepository.VerdictRecord;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The web side of a running controller: the web server over the {@link Controller}'s services.
 * Alerts, campaigns, metrics and the compliance snapshots are the controller's background jobs
 * ({@link Controller#startBackgroundJobs()}), not the dashboard's: they run whether or not HTTP does.
 */
public final class Dashboard implements AutoCloseable {
  /** The background job writing the summaries of suppressed single sign-on refusals. */
  static final String REFUSAL_SUMMARIES = "single sign-on refusal summaries";
  private final WebServer web;

  private Dashboard(WebServer web) {
    this.web = web;
  }

  /**
   * Starts the web server for a controller. The first start creates the user "admin" and
   * prints its generated password once on {@code console}. {@code commandLineTrust} are the
   * {@code serve --trust} entries the Settings page shows beside the stored ones (and cannot
   * remove).
   */
  public static Dashboard start(String bind, int port, DashboardOptions options, Controller controller,
      TriageRunner triage, List<String> commandLineTrust, PrintStream console) {
    return start(bind, port, options, controller, triage, commandLineTrust, console, Optional.empty());
  }

  /** As above, with single sign-on through {@code sso} when present ({@code serve --oidc-*}). */
  public static Dashboard start(String bind, int port, DashboardOptions options, Controller controller,
      TriageRunner triage, List<String> commandLineTrust, PrintStream console, Optional<SingleSignOn> sso) {
    requireNonNull(options, "options");
    requireNonNull(sso, "sso");
    requireNonNull(controller, "controller");
    Accounts accounts = controller.accounts();
    Optional<String> firstPassword = accounts.createFirstAdminIfNone();
    WebServer web = WebServer.start(new WebServer.Config(bind, port, options.secureCookies(),
        options.httpHosts(), options.trustedProxies()),
        new WebServer.Services(controller.fleet(), controller.complianceHistory(), accounts, controller.sessions(),
            new LoginThrottle(controller.clock()), triage, controller.campaigns(), controller.metrics(),
            new TrustSettings(controller.trustedMtas(), commandLineTrust), controller.apiTokens(), controller.audit(),
            controller.complaintsView()),
        sso.map(provider -> new WebServer.Sso(provider,
            new SsoAccounts(controller.fleet().store(), accounts, controller.clock()))));
    if (sso.isPresent() && !controller.jobs().has(REFUSAL_SUMMARIES)) {
      // Summaries of suppressed refusals are written when their window ends, not only with the
      // next refusal. One job per controller (one dashboard each, as serve runs it).
      controller.jobs().every(REFUSAL_SUMMARIES, RefusalAudit.FLUSH_EVERY, RefusalAudit.FLUSH_EVERY,
          web::flushRefusalSummaries);
    }
    firstPassword.ifPresent(password -> {
      console.println("labscan-controller: created web UI user '" + Accounts.FIRST_ADMIN + "' (admin) with password");
      console.println("    " + password);
      String host = bind.equals("0.0.0.0") || bind.equals("::") ? "<this host>"
          : bind.indexOf(':') >= 0 ? "[" + bind + "]" : bind;
      console.println("  It is shown only this once. Log in at http://" + host + ":" + web.port()
          + "/login and add users with 'labscan-controller user add'.");
    });
    return new Dashboard(web);
  }

  static Map<Verdict, Integer> verdictCounts(List<VerdictRecord> verdicts) {
    return Controller.verdictCounts(verdicts);
  }

  public int port() {
    return web.port();
  }

  @Override
  public void close() {
    web.close();
  }
}
