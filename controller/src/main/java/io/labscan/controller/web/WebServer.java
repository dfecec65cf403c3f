package io.labscan.controller.web;

import io.labscan.controller.fleet.Cidr;
import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.account.User;
import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.security.RouteRole;
import io.javalin.util.JavalinBindException;
import io.labscan.controller.account.ApiTokens;
import io.labscan.controller.account.Principal;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.Actor;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.audit.Source;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.metrics.ControllerMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The controller's web server (Javalin on Jetty): the operator pages, their JSON API under
 * {@code /api/v1/}, {@code /metrics} and {@code /healthz}. Everything but {@code /healthz},
 * the login page and its two assets needs a session; changes need the session's CSRF token.
 * Every asset is served from the controller's own jar (lab networks are closed).
 */
public final class WebServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebServer.class);
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String SESSION_ATTRIBUTE = "labscan.session";
  private static final String PRINCIPAL_ATTRIBUTE = "labscan.principal";
  /** The id of the session a login just started (for the single sign-on logout hint). */
  static final String NEW_SESSION_ATTRIBUTE = "labscan.newSession";

  /**
   * A route marker beside the role: the route needs a browser session and refuses API tokens
   * (everything that shows or changes users and tokens, and the session itself), so a token
   * that leaks from a script can never mint another token or change an account.
   */
  enum Gate implements RouteRole { SESSION_ONLY }
  private static final String UI = "/io/labscan/controller/web/ui/";
  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
      + "img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
      + "form-action 'self'; frame-ancestors 'none'";
  private static final Set<HandlerType> SAFE_METHODS = Set.of(HandlerType.GET, HandlerType.HEAD, HandlerType.OPTIONS);

  /**
   * Where to listen, whether cookies must be marked Secure although requests arrive over HTTP,
   * which host names the server answers to besides IP literals, localhost and this machine's
   * name ({@code --http-host}), and which peers are proxies whose X-Forwarded-For names the
   * client ({@code --http-trusted-proxy}). See {@link HttpGuard}.
   */
  public record Config(String bind, int port, boolean secureCookies, List<String> allowedHosts,
      List<Cidr> trustedProxies) {
    public Config {
      requireNonNull(bind, "bind");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("HTTP port " + port + " is not between 0 and 65535");
      }
      allowedHosts = List.copyOf(allowedHosts);
      allowedHosts.forEach(HttpGuard::checkedName);
      trustedProxies = List.copyOf(trustedProxies);
    }

    public Config(String bind, int port, boolean secureCookies) {
      this(bind, port, secureCookies, List.of(), List.of());
    }
  }

  /** What the pages and the API read and change. */
  public record Services(Fleet fleet, ComplianceHistory history, Accounts accounts, Sessions sessions,
      LoginThrottle throttle, TriageRunner triage, CampaignService campaigns, ControllerMetrics metrics,
      TrustSettings trust, ApiTokens tokens, AuditLog audit,
      io.labscan.controller.complaint.ComplaintsView complaints) {
    /** Without trusted-MTA settings (the Settings API answers 503). */
    public Services(Fleet fleet, ComplianceHistory history, Accounts accounts, Sessions sessions,
        LoginThrottle throttle, TriageRunner triage, CampaignService campaigns, ControllerMetrics metrics) {
      this(fleet, history, accounts, sessions, throttle, triage, campaigns, metrics, TrustSettings.unavailable());
    }

    /** Tokens and audit log in the fleet's store, on the system clock. */
    public Services(Fleet fleet, ComplianceHistory history, Accounts accounts, Sessions sessions,
        LoginThrottle throttle, TriageRunner triage, CampaignService campaigns, ControllerMetrics metrics,
        TrustSettings trust) {
      this(fleet, history, accounts, sessions, throttle, triage, campaigns, metrics, trust,
          new ApiTokens(fleet.store(), java.time.Clock.systemUTC()),
          new AuditLog(fleet.store(), java.time.Clock.systemUTC()));
    }

    /** Without complaint mailboxes (the Complaints page lists none). */
    public Services(Fleet fleet, ComplianceHistory history, Accounts accounts, Sessions sessions,
        LoginThrottle throttle, TriageRunner triage, CampaignService campaigns, ControllerMetrics metrics,
        TrustSettings trust, ApiTokens tokens, AuditLog audit) {
      this(fleet, history, accounts, sessions, throttle, triage, campaigns, metrics, trust, tokens, audit,
          NO_COMPLAINTS);
    }

    public Services {
      requireNonNull(tokens, "tokens");
      requireNonNull(audit, "audit");
      requireNonNull(trust, "trust");
      requireNonNull(complaints, "complaints");
      requireNonNull(fleet, "fleet");
      requireNonNull(history, "history");
      requireNonNull(accounts, "accounts");
      requireNonNull(sessions, "sessions");
      requireNonNull(throttle, "throttle");
      requireNonNull(triage, "triage");
      requireNonNull(campaigns, "campaigns");
      requireNonNull(metrics, "metrics");
    }
  }

  /**
   * Single sign-on, when {@code serve --oidc-issuer} configures it: the provider and the rules that
   * turn its identities into users.
   */
  public record Sso(io.labscan.controller.oidc.SingleSignOn provider, io.labscan.controller.oidc.SsoAccounts accounts) {
    public Sso {
      requireNonNull(provider, "provider");
      requireNonNull(accounts, "accounts");
    }
  }

  /** No complaints, no mailboxes. */
  static final io.labscan.controller.complaint.ComplaintsView NO_COMPLAINTS =
      new io.labscan.controller.complaint.ComplaintsView() {
        @Override
        public List<io.labscan.controller.complaint.ComplaintRecord> list(int limit, java.util.OptionalLong before) {
          return List.of();
        }

        @Override
        public Optional<io.labscan.controller.complaint.ComplaintRecord> get(long seq) {
          return Optional.empty();
        }

        @Override
        public List<io.labscan.controller.complaint.MailboxStatus> mailboxes() {
          return List.of();
        }

        @Override
        public Optional<io.labscan.controller.verdict.Verdict> verdict(String hostId) {
          return Optional.empty();
        }

        @Override
        public Map<String, Map<String, Long>> perDay() {
          return Map.of();
        }
      };

  /** A static file of the UI. */
  private record Asset(String contentType, byte[] bytes) {}

  private final Javalin app;
  private final Routes routes;

  private WebServer(Javalin app, Routes routes) {
    this.app = app;
    this.routes = routes;
  }

  /**
   * Writes the audit summaries of suppressed single sign-on refusals whose window ended (nothing
   * without single sign-on); {@link Dashboard} runs it as a background job.
   */
  void flushRefusalSummaries() {
    routes.sso.ifPresent(SsoRoutes::flushRefusalSummaries);
  }

  public static WebServer start(Config config, Services services) {
    return start(config, services, Optional.empty());
  }

  /** As {@link #start(Config, Services)}, with single sign-on when {@code sso} is present. */
  public static WebServer start(Config config, Services services, Optional<Sso> sso) {
    requireNonNull(config, "config");
    requireNonNull(services, "services");
    requireNonNull(sso, "sso");
    WebServer.Routes routes = new Routes(config, services, sso);
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      c.http.maxRequestSize = TriageRunner.MAX_MESSAGE_BYTES + 64 * 1024;
      c.http.generateEtags = false;
      c.router.ignoreTrailingSlashes = true;
      c.jetty.modifyHttpConfiguration(http -> {
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
      });
      routes.register(c.routes);
    });
    try {
      app.start(config.bind(), config.port());
    } catch (JavalinBindException e) {
      app.stop();
      throw new UncheckedIOException("Cannot listen for HTTP on " + config.bind() + ":" + config.port() + ": "
          + e.getMessage() + " (pick another port with --http-port)", new IOException(e));
    }
    return new WebServer(app, routes);
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }

  /** The user or token a request that passed the access check acts for. */
  static Principal principal(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL_ATTRIBUTE);
    if (p == null) {
      throw new ApiError(401, "log in first");
    }
    return p;
  }

  /** The name a request acts under ({@code token:NAME} for tokens), with its role. */
  static User user(Context ctx) {
    Principal p = principal(ctx);
    return new User(p.displayName(), p.role(), p.labs());
  }

  /** Where a request came from, for the audit log (the trusted-proxy rule applied). */
  static Source source(Context ctx) {
    return Source.http(HttpGuard.client(ctx));
  }

  /** Routes, access control and security headers. */
  private static final class Routes {
    private final Config config;
    private final Services services;
    private final FleetApi fleet;
    private final AdminApi admin;
    private final AccessApi access;
    private final ComplaintsApi complaints;
    private final MetaApi meta;
    private final HttpGuard guard;
    private final Optional<SsoRoutes> sso;
    private final Map<String, Asset> assets = new LinkedHashMap<>();
    private final DatabaseProbe database;

    Routes(Config config, Services services, Optional<Sso> sso) {
      this.config = config;
      this.database = DatabaseProbe.of(services.fleet().store(), services.fleet().clock());
      this.services = services;
      this.sso = sso.map(s -> new SsoRoutes(s.provider(), s.accounts(), services.audit(), config.secureCookies(),
          this::startSession, services.fleet().clock()));
      this.fleet = new FleetApi(services.fleet(), services.history(), services.audit(), services.trust());
      this.admin = new AdminApi(services.triage(), services.campaigns(), services.trust(), services.audit(),
          services.fleet());
      this.access = new AccessApi(services.tokens(), services.audit());
      this.complaints = new ComplaintsApi(services.complaints(), services.fleet());
      this.meta = new MetaApi(services.fleet().policy());
      this.guard = new HttpGuard(withBindName(config), config.trustedProxies());
    }

    /**
     * {@code ok} and {@code database: reachable}, or 503 with {@code database: unreachable} when
     * the database does not answer ({@link DatabaseProbe}: bounded, cached). Anonymous, so the
     * reason (which can name the database's host, port and user) is not in the answer: it is in
     * the controller log, once per change, and {@code labscan-controller doctor} names it.
     */
    private void healthz(Context ctx) {
      Optional<String> problem = database.problem();
      ctx.contentType("text/plain; charset=utf-8");
      if (problem.isEmpty()) {
        ctx.result("ok\ndatabase: reachable\n");
      } else {
        ctx.status(503).result("unhealthy\ndatabase: unreachable\n");
      }
    }

    /** The allowed host names plus the bind address when it is a name (an IP literal is allowed anyway). */
    private static List<String> withBindName(Config config) {
      List<String> names = new java.util.ArrayList<>(config.allowedHosts());
      String bind = config.bind();
      if (Cidr.literal(bind).isEmpty() && !bind.isBlank()) {
        try {
          names.add(HttpGuard.checkedName(bind));
        } catch (IllegalArgumentException e) {
          // not a name either: nothing to allow
        }
      }
      return names;
    }

    void register(RoutesConfig r) {
      r.before(this::securityHeaders);
      r.before(guard::check);
      r.beforeMatched(this::accessControl);

      r.get("/healthz", this::healthz);
      r.get("/metrics", this::metrics);

      // Pages: static HTML without data; their scripts fetch the JSON API. Every page but the
      // login is its <main> inside layout.html, assembled once here from UiPages.PAGES.
      Asset login = load("login.html", "text/html; charset=utf-8");
      String loginHtml = new String(login.bytes(), StandardCharsets.UTF_8)
          .replace("<!--single-sign-on-->", sso.map(SsoRoutes::loginButton).orElse(""));
      Asset loginPage = new Asset(login.contentType(), loginHtml.getBytes(StandardCharsets.UTF_8));
      r.get("/login", ctx -> serve(ctx, loginPage));
      sso.ifPresent(s -> {
        r.get("/login/oidc", s::begin);
        r.get("/login/oidc/callback", s::callback);
      });
      asset(r, "style.css", null);
      asset(r, "login.js", null);
      asset(r, "app.js", Role.VIEWER);
      String layout = new String(load("layout.html", "text/html").bytes(), StandardCharsets.UTF_8);
      java.util.Set<String> scripts = new java.util.HashSet<>();
      for (UiPages.Page p : UiPages.PAGES) {
        String main = new String(load(p.name() + ".html", "text/html").bytes(), StandardCharsets.UTF_8);
        Asset html = new Asset("text/html; charset=utf-8",
            UiPages.assemble(p, UiPages.PAGES, layout, main).getBytes(StandardCharsets.UTF_8));
        r.get(p.path(), ctx -> serve(ctx, html), p.role());
        if (scripts.add(p.name())) { // a list page and its detail page share one script
          asset(r, p.name() + ".js", p.role());
        }
      }

      r.post("/api/v1/session", this::login);
      r.get("/api/v1/session", this::currentSession, Role.VIEWER, Gate.SESSION_ONLY);
      r.delete("/api/v1/session", this::logout, Role.VIEWER, Gate.SESSION_ONLY);

      r.get("/api/v1/meta", meta::meta, Role.VIEWER);
      r.get("/api/v1/overview", fleet::overview, Role.VIEWER);
      r.get("/api/v1/labs", fleet::labs, Role.VIEWER);
      r.get("/api/v1/trend", fleet::trend, Role.VIEWER);
      r.get("/api/v1/hosts", fleet::hosts, Role.VIEWER);
      r.get("/api/v1/host-status", fleet::hostStatus, Role.VIEWER);
      r.get("/api/v1/hosts/{hostId}", fleet::host, Role.VIEWER);
      r.get("/api/v1/infected", fleet::infected, Role.VIEWER);
      r.get("/api/v1/lab-rules", fleet::labRules, Role.VIEWER);
      r.post("/api/v1/lab-rules", fleet::addLabRule, Role.ADMIN);
      QuarantineApi quarantine = new QuarantineApi(services.fleet());
      r.post("/api/v1/hosts/{hostId}/quarantine", quarantine::quarantine, Role.ADMIN);
      r.post("/api/v1/hosts/{hostId}/release", quarantine::release, Role.ADMIN);
      r.delete("/api/v1/lab-rules/{ruleId}", fleet::removeLabRule, Role.ADMIN);

      r.get("/api/v1/complaints", complaints::list, Role.VIEWER);
      r.get("/api/v1/complaints/{complaintId}", complaints::one, Role.VIEWER);

      r.post("/api/v1/triage", admin::triage, Role.ADMIN);
      r.get("/api/v1/triage/sample", fleet::triageSample, Role.ADMIN);
      r.post("/api/v1/triage/record", admin::recordTriage, Role.ADMIN);
      r.post("/api/v1/triage/withdraw", admin::withdrawTrace, Role.ADMIN);
      r.get("/api/v1/settings/trusted-mtas", admin::trustedMtas, Role.ADMIN);
      r.post("/api/v1/settings/trusted-mtas", admin::addTrustedMta, Role.ADMIN);
      r.delete("/api/v1/settings/trusted-mtas/{entryId}", admin::removeTrustedMta, Role.ADMIN);
      r.get("/api/v1/campaigns", admin::listCampaigns, Role.VIEWER);
      r.post("/api/v1/campaigns", admin::createCampaign, Role.LAB_MANAGER);
      r.get("/api/v1/campaigns/{campaignId}", admin::campaign, Role.VIEWER);
      r.post("/api/v1/campaigns/{campaignId}/run", admin::runCampaign, Role.LAB_MANAGER);
      r.delete("/api/v1/campaigns/{campaignId}", admin::deleteCampaign, Role.LAB_MANAGER);

      ReportsApi reports = new ReportsApi(new io.labscan.controller.report.ComplianceReports(services.fleet()),
          // A user's own address that the identity provider verified needs no confirmation mail.
          new io.labscan.controller.report.ReportSubscriptions(services.fleet().store(), services.fleet().clock(),
              io.labscan.controller.oidc.SsoAccounts.verifiedEmails(services.fleet().store())),
          services.audit(), services.fleet());
      r.get("/api/v1/reports/compliance", reports::compliance, Role.VIEWER);
      r.get("/api/v1/reports/subscriptions", reports::subscriptions, Role.LAB_MANAGER, Gate.SESSION_ONLY);
      r.post("/api/v1/reports/subscriptions", reports::subscribe, Role.LAB_MANAGER, Gate.SESSION_ONLY);
      r.delete("/api/v1/reports/subscriptions/{subscriptionId}", reports::unsubscribe, Role.LAB_MANAGER,
          Gate.SESSION_ONLY);
      r.post("/api/v1/reports/subscriptions/{subscriptionId}/confirmation", reports::resendConfirmation,
          Role.LAB_MANAGER, Gate.SESSION_ONLY);
      // Anonymous: the owner of a subscribed address confirms it (ReportConfirmations).
      Asset confirmPage = load("confirm.html", "text/html; charset=utf-8");
      r.get("/reports/confirm", ctx -> serve(ctx, confirmPage));
      asset(r, "confirm.js", null);
      r.post("/api/v1/reports/confirm", reports::confirm);

      r.get("/api/v1/tokens", access::tokens, Role.ADMIN, Gate.SESSION_ONLY);
      r.post("/api/v1/tokens", access::createToken, Role.ADMIN, Gate.SESSION_ONLY);
      r.delete("/api/v1/tokens/{tokenId}", access::revokeToken, Role.ADMIN, Gate.SESSION_ONLY);
      r.get("/api/v1/audit", access::audit, Role.ADMIN);

      r.exception(ApiError.class, this::apiError);
      r.exception(HttpResponseException.class, (e, ctx) ->
          Json.error(ctx, e.getStatus(), e.getStatus() == 404 ? "not found" : "request refused"));
      r.exception(Exception.class, (e, ctx) -> {
        log.error("{} {} failed", ctx.method(), ctx.path(), e);
        Json.error(ctx, 500, "internal error; the controller log has the details");
      });
    }

    private void asset(RoutesConfig r, String name, @Nullable Role role) {
      String type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
      Asset asset = load(name, type);
      assets.put(name, asset);
      if (role == null) {
        r.get("/assets/" + name, ctx -> serve(ctx, asset));
      } else {
        r.get("/assets/" + name, ctx -> serve(ctx, asset), role);
      }
    }

    private static void serve(Context ctx, Asset asset) {
      ctx.contentType(asset.contentType()).result(asset.bytes());
    }

    private static Asset load(String name, String type) {
      try (InputStream in = WebServer.class.getResourceAsStream(UI + name)) {
        if (in == null) {
          throw new IllegalStateException("UI file " + name + " is missing from the build");
        }
        return new Asset(type, in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void securityHeaders(Context ctx) {
      ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
      ctx.header("X-Content-Type-Options", "nosniff");
      ctx.header("X-Frame-Options", "DENY");
      ctx.header("Referrer-Policy", "no-referrer");
      ctx.header("Cross-Origin-Opener-Policy", "same-origin");
      ctx.header("Cross-Origin-Resource-Policy", "same-origin");
      ctx.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
      ctx.header("Cache-Control", "no-store");
      if (isSecure(ctx)) {
        ctx.header("Strict-Transport-Security", "max-age=31536000");
      }
    }

    /** Session, role and CSRF checks for every route that names a role. */
    private void accessControl(Context ctx) {
      boolean unsafe = !SAFE_METHODS.contains(ctx.method());
      if (unsafe) {
        checkOrigin(ctx);
      }
      Set<RouteRole> roles = ctx.routeRoles();
      if (roles.isEmpty()) {
        return;
      }
      Role required = roles.contains(Role.ADMIN) ? Role.ADMIN
          : roles.contains(Role.LAB_MANAGER) ? Role.LAB_MANAGER : Role.VIEWER;
      Optional<String> bearer = bearer(ctx);
      Principal principal;
      if (bearer.isPresent() && ctx.path().startsWith("/api/v1/")) {
        // A token is sent by a script, never attached by a browser on its own: no CSRF token needed.
        principal = services.tokens().authenticate(bearer.get())
            .orElseThrow(() -> new ApiError(401, "unknown, expired or revoked API token"));
        if (roles.contains(Gate.SESSION_ONLY)) {
          throw new ApiError(403, "API tokens cannot be used for users, tokens or sessions; log in");
        }
      } else {
        Sessions.Session session = services.sessions().find(ctx.cookie(Sessions.COOKIE))
            .orElseThrow(() -> new ApiError(401, "log in first"));
        User user = session.user();
        principal = Principal.user(user.username(), user.role(),
            user.role().labScoped() ? services.accounts().labs(user.username()) : Set.of());
        if (!principal.role().covers(required)) {
          throw new ApiError(403, "this needs the " + required.id() + " role");
        }
        if (unsafe && !session.csrfMatches(ctx.header(CSRF_HEADER))) {
          throw new ApiError(403, "missing or wrong CSRF token (send the " + CSRF_HEADER + " header)");
        }
        ctx.attribute(SESSION_ATTRIBUTE, session);
      }
      if (!principal.role().covers(required)) {
        throw new ApiError(403, "this needs the " + required.id() + " role");
      }
      ctx.attribute(PRINCIPAL_ATTRIBUTE, principal);
    }

    /** The token of an {@code Authorization: Bearer} header. */
    private static Optional<String> bearer(Context ctx) {
      String header = ctx.header("Authorization");
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return Optional.empty();
      }
      return Optional.of(header.substring(7).trim());
    }

    /** A browser names the page that sent a request; refuse changes sent from another site. */
    private static void checkOrigin(Context ctx) {
      String origin = ctx.header("Origin");
      if (origin == null || origin.isEmpty()) {
        return;
      }
      String host = ctx.header("Host");
      String authority;
      try {
        authority = URI.create(origin).getRawAuthority();
      } catch (IllegalArgumentException e) {
        authority = null;
      }
      if (host == null || authority == null || !authority.equalsIgnoreCase(host)) {
        throw new ApiError(403, "cross-origin request refused");
      }
    }

    private void apiError(ApiError e, Context ctx) {
      boolean page = ctx.method() == HandlerType.GET && !ctx.path().startsWith("/api/");
      if (e.status() == 401 && page) {
        ctx.redirect("/login");
        return;
      }
      if (e.status() == 403 && page) {
        ctx.status(403).contentType("text/plain; charset=utf-8").result("Forbidden: " + e.getMessage() + "\n");
        return;
      }
      if (e.status() == 429) {
        ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
      }
      Json.error(ctx, e.status(), e.getMessage());
    }

    private boolean isSecure(Context ctx) {
      return config.secureCookies() || "https".equalsIgnoreCase(ctx.scheme());
    }

    private void login(Context ctx) {
      var body = Json.body(ctx);
      String username = Json.text(body, "username").orElse("");
      String password = Json.text(body, "password").orElse("");
      String ip = HttpGuard.client(ctx);
      Duration wait = services.throttle().acquire(ip, username);
      if (!wait.isZero() && !wait.isNegative()) {
        throw ApiError.tooManyAttempts(wait.toSeconds());
      }
      Optional<User> user;
      try {
        user = services.accounts().authenticate(username, password);
      } catch (RuntimeException e) {
        services.throttle().failed(ip, username);
        throw e;
      }
      if (user.isEmpty()) {
        services.throttle().failed(ip, username);
        log.warn("Failed web login for '{}' from {}", username.replaceAll("[^\\x20-\\x7e]", "?"), ip);
        services.audit().record(Actor.anonymous(username), Actions.LOGIN_FAILED, username,
            "wrong user name or password", source(ctx));
        throw new ApiError(401, "wrong user name or password");
      }
      services.throttle().succeeded(ip, username);
      Sessions.Session session = startSession(ctx, user.get());
      log.info("Web login: {} ({}) from {}", user.get().username(), user.get().role().id(), ip);
      services.audit().record(Actor.user(user.get().username()), Actions.LOGIN, user.get().username(),
          "password; role " + user.get().role().id(), source(ctx));
      Json.send(ctx, sessionJson(session));
    }

    /** Ends the browser's old session, if any, and starts a fresh one (new id: no fixation). */
    private Sessions.Session startSession(Context ctx, User user) {
      services.sessions().end(ctx.cookie(Sessions.COOKIE));
      Sessions.Session session = services.sessions().create(user);
      ctx.res().addHeader("Set-Cookie", Sessions.COOKIE + "=" + session.id() + "; Path=/; HttpOnly; SameSite=Strict"
          + (isSecure(ctx) ? "; Secure" : ""));
      ctx.attribute(NEW_SESSION_ATTRIBUTE, session.id());
      return session;
    }

    private void currentSession(Context ctx) {
      ObjectNode o = sessionJson(ctx.attribute(SESSION_ATTRIBUTE));
      Principal p = principal(ctx);
      if (p.role().labScoped()) {
        ArrayNode labs = o.putArray("labs");
        p.sortedLabs().forEach(labs::add);
      } else {
        o.putNull("labs");
      }
      Json.send(ctx, o);
    }

    /**
     * Ends the session: 204, or for a single sign-on user whose provider has an end-session
     * endpoint 200 with {@code logoutUrl}, where the browser goes next to end the provider's
     * session too (else the next "Sign in with single sign-on" would log in again at once).
     */
    private void logout(Context ctx) {
      String id = ctx.cookie(Sessions.COOKIE);
      services.sessions().end(id);
      Optional<URI> provider = sso.flatMap(s -> s.afterLogout(ctx, id, principal(ctx).name()));
      services.audit().record(principal(ctx).actor(), Actions.LOGOUT, principal(ctx).name(),
          provider.isPresent() ? "single sign-on: sent to the identity provider's logout" : "", source(ctx));
      ctx.res().addHeader("Set-Cookie", Sessions.COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
          + (isSecure(ctx) ? "; Secure" : ""));
      if (provider.isPresent()) {
        Json.send(ctx, Json.object().put("logoutUrl", provider.get().toString()));
      } else {
        ctx.status(204);
      }
    }

    private static ObjectNode sessionJson(Sessions.Session s) {
      return Json.object().put("username", s.user().username()).put("role", s.user().role().id())
          .put("csrfToken", s.csrfToken());
    }

    /** Prometheus text; a browser session or HTTP Basic credentials of any user (for scrapers). */
    private void metrics(Context ctx) {
      Optional<Role> role;
      Optional<String> bearer = bearer(ctx);
      if (bearer.isPresent()) {
        role = services.tokens().authenticate(bearer.get()).map(Principal::role);
      } else {
        role = services.sessions().find(ctx.cookie(Sessions.COOKIE)).map(s -> s.user().role());
        if (role.isEmpty()) {
          role = basicAuth(ctx);
        }
      }
      if (role.isPresent() && role.get().labScoped()) {
        // Fleet-wide counts: not for someone who may see only some labs.
        Json.error(ctx, 403, "metrics cover every lab; a lab-manager may not read them");
        return;
      }
      if (role.isEmpty()) {
        ctx.header("WWW-Authenticate", "Basic realm=\"labscan metrics\", charset=\"UTF-8\"");
        Json.error(ctx, 401, "log in first (or send HTTP Basic credentials)");
        return;
      }
      ctx.contentType(services.metrics().contentType()).result(services.metrics().scrape());
    }

    private Optional<Role> basicAuth(Context ctx) {
      String header = ctx.header("Authorization");
      if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
        return Optional.empty();
      }
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        return Optional.empty();
      }
      String username = decoded.substring(0, colon);
      String ip = HttpGuard.client(ctx);
      if (!services.throttle().acquire(ip, username).isZero()) {
        return Optional.empty();
      }
      Optional<User> user = Optional.empty();
      try {
        user = services.accounts().authenticate(username, decoded.substring(colon + 1));
      } finally {
        if (user.isPresent()) {
          services.throttle().succeeded(ip, username);
        } else {
          services.throttle().failed(ip, username);
          // Successful scrapes are not logins (one every 15 s); failed ones are recorded.
          services.audit().record(Actor.anonymous(username), Actions.LOGIN_FAILED, username,
              "HTTP Basic on /metrics", source(ctx));
        }
      }
      return user.map(User::role);
    }
  }
}
