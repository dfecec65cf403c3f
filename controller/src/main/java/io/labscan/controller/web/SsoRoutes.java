package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.labscan.controller.account.User;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.Actor;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.oidc.OidcClient;
import io.labscan.controller.oidc.OidcIdentity;
import io.labscan.controller.oidc.SingleSignOn;
import io.labscan.controller.oidc.SsoAccounts;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on pages: {@code GET /login/oidc} sends the browser to the identity provider
 * (authorization code flow with PKCE, state and nonce: {@link OidcClient}); {@code GET
 * /login/oidc/callback} redeems the code, verifies the ID token, admits the user ({@link
 * SsoAccounts}) and starts the same server-side session a password login starts.
 *
 * <p>Login CSRF: the login's state, nonce and PKCE verifier are sealed (AES-GCM, {@code
 * OidcClient}) into a short-lived cookie ({@value #STATE_COOKIE}, HttpOnly, SameSite=Lax so the
 * provider's top-level redirect back carries it, path {@code /login/oidc}), and the callback
 * completes only when the state in the URL equals the sealed one: a callback link crafted by
 * someone else, with their own code, cannot log a victim's browser into the
 * attacker's account. The session cookie is SameSite=Strict, which a browser does not send on a
 * navigation that a cross-site redirect started; so the callback answers with a small page that
 * moves on to the dashboard itself (a same-site navigation) instead of a redirect.
 *
 * <p>Every success and failure goes to the audit log with the client's address. Messages shown
 * to the person name the reason when it is theirs to act on (no role mapped, a local account of
 * the same name) and only "could not be verified" for token problems, whose details go to the
 * log and the audit entry.
 */
final class SsoRoutes {
  private static final Logger log = LoggerFactory.getLogger(SsoRoutes.class);
  static final String STATE_COOKIE = "labscan_oidc_state";
  /** ID tokens kept as the logout hint, per session (in memory: after a restart the provider asks to confirm). */
  private static final int MAX_HINTS = 10_000;

  private final SingleSignOn sso;
  private final SsoAccounts accounts;
  private final AuditLog audit;
  private final boolean secureCookies;
  private final BiConsumer<Context, User> startSession;
  private final RefusalAudit refusals;
  /** Refusals of users the provider vouched for, by their subject: a bounded number per account too. */
  private final RefusalAudit subjectRefusals;
  private final SsoRateLimit rateLimit;
  private final Map<String, String> idTokens = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > MAX_HINTS;
    }
  };

  SsoRoutes(SingleSignOn sso, SsoAccounts accounts, AuditLog audit, boolean secureCookies,
      BiConsumer<Context, User> startSession, Clock clock) {
    this.refusals = new RefusalAudit(clock);
    this.subjectRefusals = new RefusalAudit(clock);
    this.rateLimit = new SsoRateLimit(clock);
    this.sso = requireNonNull(sso, "sso");
    this.accounts = requireNonNull(accounts, "accounts");
    this.audit = requireNonNull(audit, "audit");
    this.secureCookies = secureCookies;
    this.startSession = requireNonNull(startSession, "startSession");
  }

  /** The login page's single sign-on block. */
  String loginButton() {
    return "<div class=\"sso\"><a class=\"button\" id=\"sso-login\" href=\"/login/oidc\">Sign in with "
        + escape(sso.settings().providerName()) + "</a></div>";
  }

  /** {@code GET /login/oidc}. */
  void begin(Context ctx) {
    if (limited(ctx, rateLimit.start(HttpGuard.client(ctx)))) {
      return;
    }
    OidcClient.Start start;
    try {
      start = sso.client().begin();
    } catch (OidcClient.LoginFailedException e) {
      fail(ctx, 503, "?", String.valueOf(e.getMessage()), "The identity provider cannot be reached now. Try again in a minute, "
          + "or log in with a local account.");
      return;
    }
    ctx.res().addHeader("Set-Cookie", STATE_COOKIE + "=" + start.sealed() + "; Path=/login/oidc; Max-Age="
        + OidcClient.PENDING_TTL.toSeconds() + "; HttpOnly; SameSite=Lax" + (secure(ctx) ? "; Secure" : ""));
    ctx.redirect(start.authorizationUri().toString());
  }

  /** {@code GET /login/oidc/callback}. */
  void callback(Context ctx) {
    String state = ctx.queryParam("state");
    String code = ctx.queryParam("code");
    String error = ctx.queryParam("error");
    String cookie = ctx.cookie(STATE_COOKIE);
    ctx.res().addHeader("Set-Cookie", STATE_COOKIE + "=; Path=/login/oidc; Max-Age=0; HttpOnly; SameSite=Lax"
        + (secure(ctx) ? "; Secure" : ""));
    if (error != null) {
      String e = printable(error, 64);
      fail(ctx, 403, "?", "identity provider answered error " + e,
          "The identity provider did not log you in (" + e + ").");
      return;
    }
    if (state == null || cookie == null) {
      fail(ctx, 403, "?", "callback state does not match this browser's login (missing state cookie)",
          "This login was not started in this browser, or took too long. Start again.");
      return;
    }
    if (limited(ctx, rateLimit.callback(HttpGuard.client(ctx)))) {
      return;
    }
    OidcIdentity identity;
    try {
      identity = sso.client().complete(cookie, state, code);
    } catch (OidcClient.BusyException e) {
      log.warn("Single sign-on callback from {} turned away: {}", HttpGuard.client(ctx), e.getMessage());
      ctx.header("Retry-After", "5");
      ctx.status(503).contentType("text/html; charset=utf-8").result(page("Busy", "",
          "<p id=\"login-message\" class=\"error\" role=\"alert\">Too many logins are being checked with the "
              + "identity provider right now. Try again in a few seconds.</p><p><a href=\"/login\">Back to the login "
              + "page</a></p>"));
      return;
    } catch (OidcClient.LoginFailedException e) {
      fail(ctx, 403, "?", String.valueOf(e.getMessage()), e.notThisBrowser()
          ? "This login was not started in this browser, or took too long. Start again."
          : "The identity provider's answer could not be verified; nobody was logged in. The controller log has the "
              + "details.");
      return;
    }
    SsoAccounts.Admission admission;
    try {
      admission = accounts.admit(sso.settings().issuer(), identity, sso.settings().roleMapping());
    } catch (SsoAccounts.RefusedException e) {
      fail(ctx, 403, identity.username(), identity.subject(), "refused: " + e.getMessage() + " (sub " + printable(identity.subject(), 80)
          + ")", "Single sign-on refused: " + e.getMessage() + ".");
      return;
    }
    User user = admission.user();
    startSession.accept(ctx, user);
    String session = ctx.attribute(WebServer.NEW_SESSION_ATTRIBUTE);
    if (session != null) {
      synchronized (idTokens) {
        idTokens.put(session, identity.idToken());
      }
    }
    String ip = HttpGuard.client(ctx);
    log.info("Web login (single sign-on): {} ({}) from {}", user.username(), user.role().id(), ip);
    admission.roleChange().ifPresent(change -> audit.record(provider(), Actions.SSO_ROLE, user.username(),
        change.from() + " -> " + change.to() + " from the " + printable(sso.settings().roleClaim(), 64)
            + " claim values " + printable(String.join(", ", change.claimValues()), 400)
            + " (sub " + printable(identity.subject(), 80) + ")", WebServer.source(ctx)));
    audit.record(Actor.user(user.username()), Actions.LOGIN, user.username(), "single sign-on " + sso.settings().issuer()
        + (admission.created() ? "; user created" : "") + "; " + admission.roleSource(), WebServer.source(ctx));
    ctx.status(200).contentType("text/html; charset=utf-8").result(page("Logged in",
        "<meta http-equiv=\"refresh\" content=\"0;url=/\">",
        "<p>Logged in as " + escape(user.username()) + ". <a href=\"/\">Continue to the dashboard</a>.</p>"));
  }

  /**
   * Where the browser goes after a local logout of this session: the provider's end-session
   * endpoint for a user tied to the provider, when it has one.
   */
  Optional<URI> afterLogout(Context ctx, @Nullable String sessionId, String username) {
    String hint = null;
    if (sessionId != null) {
      synchronized (idTokens) {
        hint = idTokens.remove(sessionId);
      }
    }
    if (hint == null && accounts.identityOf(username).filter(l -> l.issuer().equals(sso.settings().issuer())).isEmpty()) {
      return Optional.empty();
    }
    String redirect = sso.settings().redirectUri().toString();
    URI back = URI.create(redirect.substring(0, redirect.length() - "/oidc/callback".length()));
    return sso.logoutUri(hint, back);
  }

  /** The identity provider as the actor of the role changes its groups make. */
  private Actor provider() {
    return Actor.system("identity provider " + printable(sso.settings().issuer(), 200));
  }

  /**
   * A refused login: logged and audited, then a page saying why. Any refusal can be repeated at
   * will (anyone can send a bad callback; any campus user in no mapped group can log in again and
   * again), so every one passes {@link RefusalAudit} first: a bounded number per address and
   * window, then one summary.
   */
  private void fail(Context ctx, int status, String claimed, String reason, String shown) {
    fail(ctx, status, claimed, null, reason, shown);
  }

  /**
   * As above; {@code subject} is the provider's {@code sub} of a user it vouched for and then
   * LabScan refused (no mapped group): such a refusal can be repeated by any campus user at will
   * too, so it passes {@link RefusalAudit} both by address and by subject, and is recorded only
   * while both allow it.
   */
  private void fail(Context ctx, int status, String claimed, @Nullable String subject, String reason, String shown) {
    String ip = HttpGuard.client(ctx);
    RefusalAudit.Decision decision = refusals.refused(ip);
    summarise(decision, "");
    boolean record = decision.record();
    if (subject != null) {
      RefusalAudit.Decision bySubject = subjectRefusals.refusedSubject(subject);
      summarise(bySubject, "subject ");
      record = record && bySubject.record();
    }
    if (record) {
      log.warn("Failed single sign-on login for '{}' from {}: {}", printable(claimed, 64), ip, reason);
      audit.record(Actor.anonymous(printable(claimed, 64)), Actions.LOGIN_FAILED, printable(claimed, 64),
          "single sign-on: " + printable(reason, 400), WebServer.source(ctx));
    } else {
      log.debug("Failed single sign-on login from {} (not audited: over the limit): {}", ip, reason);
    }
    ctx.status(status).contentType("text/html; charset=utf-8").result(page("Login failed", "",
        "<p id=\"login-message\" class=\"error\" role=\"alert\">" + escape(shown) + "</p>"
            + "<p><a href=\"/login\">Back to the login page</a></p>"));
  }

  /**
   * Writes the summaries of suppressed refusals whose window ended ({@link RefusalAudit#flush}):
   * run by a background job every {@link RefusalAudit#FLUSH_EVERY}, so a summary does not wait
   * for the next refusal.
   */
  void flushRefusalSummaries() {
    summarise(new RefusalAudit.Decision(false, refusals.flush()), "");
    summarise(new RefusalAudit.Decision(false, subjectRefusals.flush()), "subject ");
  }

  /** Answers 429 with Retry-After when {@code wait} is not zero (over {@link SsoRateLimit}). */
  private boolean limited(Context ctx, java.time.Duration wait) {
    if (wait.isZero()) {
      return false;
    }
    log.debug("Single sign-on request from {} over the per-address limit", HttpGuard.client(ctx));
    ctx.header("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
    ctx.status(429).contentType("text/html; charset=utf-8").result(page("Too many logins", "",
        "<p id=\"login-message\" class=\"error\" role=\"alert\">Too many single sign-on attempts from your address. "
            + "Try again in " + Math.max(1, (wait.toSeconds() + 59) / 60) + " min.</p>"
            + "<p><a href=\"/login\">Back to the login page</a></p>"));
    return true;
  }

  private void summarise(RefusalAudit.Decision decision, String kind) {
    for (RefusalAudit.Suppressed s : decision.summaries()) {
      boolean others = s.address().equals(RefusalAudit.OTHERS);
      String key = s.address().startsWith("sub ") ? s.address().substring(4) : s.address();
      String from = others ? "other " + (kind.isEmpty() ? "addresses" : "subjects") : kind + printable(key, 80);
      log.warn("{} more refused single sign-on logins from {} suppressed (since {})", s.count(), from, s.since());
      audit.record(Actor.anonymous("?"), Actions.LOGIN_FAILED, "?", "single sign-on: " + s.count()
          + " more refused callbacks from " + from + " suppressed (" + RefusalAudit.PER_ADDRESS + " per "
          + (kind.isEmpty() ? "address" : "subject") + " per " + RefusalAudit.WINDOW.toMinutes()
          + " min recorded; window from " + s.since() + ")",
          io.labscan.controller.audit.Source.http(others || !kind.isEmpty() ? "" : s.address()));
    }
  }

  private boolean secure(Context ctx) {
    return secureCookies || "https".equalsIgnoreCase(ctx.scheme());
  }

  private static String page(String title, String head, String body) {
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>LabScan · " + escape(title)
        + "</title>\n<link rel=\"stylesheet\" href=\"/assets/style.css\">\n" + head + "\n</head>\n<body>\n"
        + "<main class=\"login panel\">\n<h1>LabScan</h1>\n" + body + "\n</main>\n</body>\n</html>\n";
  }

  private static String printable(String text, int max) {
    String t = text == null ? "" : text.replaceAll("[^\\x20-\\x7e]", "?");
    return t.length() > max ? t.substring(0, max) + "..." : t;
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
