package io.labscan.controller.web;

import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.Sessions;
import io.labscan.controller.fleet.Cidr;
import io.labscan.controller.fleet.ComplianceHistory;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.fleet.LabRules;
import io.labscan.controller.campaign.AgentCommands;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.metrics.ControllerMetrics;
import io.labscan.controller.store.Storage;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.TestWiring;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A controller's web side on a temporary SQLite file, without gRPC: reports go in through the
 * real ingest path, commands to agents land in {@link #sent}, triage answers come from a fake.
 */
final class DashboardFixture implements AutoCloseable {
  static final String ADMIN = "it-staff";
  static final String VIEWER = "lab-manager";
  /** A lab manager of the physics lab only (role lab-manager, lab physics-lab). */
  static final String PHYSICS_MANAGER = "physics-manager";
  static final String PHYSICS_LAB = "physics-lab";
  static final String PASSWORD = "correct horse battery";

  final Clock clock = Clock.systemUTC();
  final Storage store;
  final VerdictService verdicts;
  final ReportIngestor ingestor;
  final Fleet fleet;
  final CampaignService campaigns;
  final WebServer web;
  final Accounts accounts;
  final io.labscan.controller.account.ApiTokens tokens;
  final io.labscan.controller.audit.AuditLog audit;
  final Set<String> online = ConcurrentHashMap.newKeySet();
  final List<Map.Entry<String, Command>> sent = new CopyOnWriteArrayList<>();
  final List<Consumer<String>> connectListeners = new CopyOnWriteArrayList<>();
  final List<byte[]> triaged = new CopyOnWriteArrayList<>();
  volatile TriageRunner triage;
  /** What the Complaints page says about the watched mailboxes. */
  volatile List<io.labscan.controller.complaint.MailboxStatus> mailboxes = List.of();

  DashboardFixture(Path dir) {
    this(dir, List.of());
  }

  /** With these peers trusted as reverse proxies (their X-Forwarded-For names the client). */
  DashboardFixture(Path dir, List<Cidr> trustedProxies) {
    this(dir, trustedProxies, 0, (db, users) -> java.util.Optional.empty());
  }

  /**
   * On a fixed HTTP port (0: any), with single sign-on when {@code sso} gives it (made from the
   * fixture's store and accounts).
   */
  DashboardFixture(Path dir, List<Cidr> trustedProxies, int port,
      java.util.function.BiFunction<Storage, Accounts, java.util.Optional<WebServer.Sso>> sso) {
    this(dir, trustedProxies, port, sso, List.of());
  }

  /** With these MTAs trusted as {@code serve --trust} gives them (and the Settings page's store). */
  static DashboardFixture withTrust(Path dir, String... commandLineTrust) {
    return new DashboardFixture(dir, List.of(), 0, (db, users) -> java.util.Optional.empty(),
        List.of(commandLineTrust));
  }

  private DashboardFixture(Path dir, List<Cidr> trustedProxies, int port,
      java.util.function.BiFunction<Storage, Accounts, java.util.Optional<WebServer.Sso>> sso,
      List<String> commandLineTrust) {
    store = Storage.open(dir.resolve("controller.db"));
    verdicts = new VerdictService(store, VerdictPolicy.defaults(), clock);
    ingestor = new ReportIngestor(store, verdicts, clock);
    LabRules labRules = new LabRules(store, clock);
    fleet = TestWiring.fleet(store, labRules, VerdictPolicy.defaults(), clock);
    AgentCommands agents = new AgentCommands() {
      @Override
      public boolean send(String hostId, Command command) {
        if (!online.contains(hostId)) {
          return false;
        }
        sent.add(Map.entry(hostId, command));
        return true;
      }

      @Override
      public void onConnect(Consumer<String> hostConnected) {
        connectListeners.add(hostConnected);
      }

      @Override
      public java.util.Set<String> connected() {
        return java.util.Set.copyOf(online);
      }
    };
    campaigns = new CampaignService(store, agents, fleet.targets(), clock).start();
    accounts = new Accounts(store, 4, clock);
    accounts.add(ADMIN, Role.ADMIN, PASSWORD, false);
    accounts.add(VIEWER, Role.VIEWER, PASSWORD, false);
    accounts.add(PHYSICS_MANAGER, Role.LAB_MANAGER, Set.of(PHYSICS_LAB), PASSWORD, false);
    tokens = new io.labscan.controller.account.ApiTokens(store, clock);
    audit = new io.labscan.controller.audit.AuditLog(store, clock);
    ControllerMetrics metrics = new ControllerMetrics(online::size, () -> Dashboard.verdictCounts(store.verdicts()),
        store::databaseBytes, () -> java.util.Map.of("reports", 7L));
    ingestor.addListener(metrics);
    io.labscan.controller.complaint.ComplaintsView complaints =
        io.labscan.controller.complaint.ComplaintsView.of(store, () -> mailboxes, clock);
    metrics.complaintsPerDay(complaints::perDay);
    triage = message -> {
      throw new TriageRunner.NotAMailMessage("no fake answer configured");
    };
    TriageRunner delegating = message -> {
      triaged.add(message);
      return triage.triage(message);
    };
    web = WebServer.start(new WebServer.Config("127.0.0.1", port, false, List.of(), trustedProxies),
        new WebServer.Services(fleet, new ComplianceHistory(fleet), accounts, new Sessions(store, clock),
            new LoginThrottle(clock), delegating, campaigns, metrics, commandLineTrust.isEmpty() ? TrustSettings.unavailable()
                : new TrustSettings(new io.labscan.controller.store.TrustedMtas(store.database(), clock), commandLineTrust),
            tokens, audit,
            complaints), sso.apply(store, accounts));
  }

  String base() {
    return "http://127.0.0.1:" + web.port();
  }

  /** Ingests reports through the validating path and waits for the verdicts. */
  void ingest(Report... reports) {
    for (Report r : reports) {
      try {
        ingestor.ingest(r, "test").join();
      } catch (io.labscan.controller.ingest.InvalidReportException e) {
        throw new IllegalArgumentException(e);
      }
    }
    verdicts.flush();
  }

  void ingest(FleetReports.Host host, Duration ago) {
    ingest(host.fullScan(Instant.now(), ago));
  }

  void connect(String hostId) {
    online.add(hostId);
    connectListeners.forEach(l -> l.accept(hostId));
  }

  @Override
  public void close() {
    web.close();
    campaigns.close();
    verdicts.close();
    store.close();
  }
}
