package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.ControllerConfig;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.grpc.RateLimiter;
import io.labscan.controller.trust.ServerNames;
import io.labscan.controller.web.Dashboard;
import io.labscan.controller.web.DashboardOptions;
import io.labscan.controller.web.EngineTriageRunner;
import io.labscan.controller.triage.TrustConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller serve}: the long-running controller. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {
      "Runs the controller: gRPC for agents (mutual TLS), an enrolment port (TLS, Enroll only), and HTTP",
      "(JSON API) for people. A missing database is created (the SQLite file, or the LabScan schema in an",
      "existing PostgreSQL database) and migrated as needed. The CA is created at first start in pki/ beside",
      "the database.",
      "Stops on SIGTERM or Ctrl-C."
    })
final class ServeCommand implements Callable<Integer> {
  /**
   * {@code --db} and {@code --db-password-file}: the same mixin, help text and checks as every
   * other command's ({@link DatabaseSelection}). Unlike the commands that read an existing
   * controller's data, serve creates what is missing (a SQLite file, or the LabScan schema in
   * an existing PostgreSQL database) and migrates it; the command's description says so.
   */
  @Mixin DatabaseOptions database;

  @Option(names = "--pki-dir", paramLabel = "DIR",
      description = "Folder of the CA and server certificate (default: pki/ beside a SQLite database; "
          + "required with a postgresql:// --db, the same folder's content on every controller).")
  Path pkiDir;

  @Option(names = "--grpc-port", defaultValue = "7443",
      description = "gRPC port for agents, mutual TLS (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(names = "--enroll-port", paramLabel = "N",
      description = "Enrolment port, server-only TLS serving Enroll (default: the gRPC port + 1).")
  Integer enrollPort;

  @Option(names = "--tls-san", paramLabel = "NAME_OR_IP",
      description = "Name or address agents use to reach this controller; added to the server certificate "
          + "(repeatable). localhost, 127.0.0.1, ::1 and this machine's host name are always in it.")
  List<String> tlsSans = new ArrayList<>();

  @Option(names = "--report-rate", defaultValue = "10", paramLabel = "PER_SECOND",
      description = "Reports one agent may send per second on average (default: ${DEFAULT-VALUE}).")
  double reportRate;

  @Option(names = "--report-burst", defaultValue = "50", paramLabel = "N",
      description = "Reports one agent may send at once (default: ${DEFAULT-VALUE}).")
  int reportBurst;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDR",
      description = "Address gRPC listens on (default: ${DEFAULT-VALUE}, every interface: agents connect from the network).")
  String bind;

  @Option(names = "--http-bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Address HTTP listens on (default: ${DEFAULT-VALUE}: loopback only).")
  String httpBind;

  @Option(names = "--insecure",
      description = "Plaintext gRPC without TLS or enrolment: anybody can report as any host. "
          + "For demos and closed test networks only.")
  boolean insecure;

  @Option(names = "--trust", paramLabel = "HOST_OR_CIDR",
      description = "An MTA whose Received: lines the web UI's triage trusts (repeatable): host name, *.domain, IP or CIDR. "
          + "Added to the MTAs administrators trust on the Settings page (and to the mail-server hosts, trusted anyway).")
  List<String> trust = new ArrayList<>();

  @Option(names = "--host-daily-quota", defaultValue = "64", paramLabel = "MIB",
      description = "Report data one host may store per UTC day, in MiB; beyond it reports are refused with "
          + "RESOURCE_EXHAUSTED and the agent keeps them to retry later (default: ${DEFAULT-VALUE}).")
  long hostDailyQuotaMib;

  @Mixin DashboardOptions dashboard;

  @Mixin RetentionOptions retention;

  @Mixin io.labscan.controller.complaint.ComplaintMailboxOptions complaintMailboxes;

  @Mixin io.labscan.controller.report.ReportMailOptions reportMail;

  @Mixin io.labscan.controller.oidc.OidcOptions oidc;

  @Override
  public Integer call() throws InterruptedException {
    ControllerRuntime.Options options;
    TrustConfig trustConfig;
    io.labscan.controller.store.Pruner.Retention retentionSettings;
    List<io.labscan.controller.complaint.MailboxConfig> mailboxes;
    io.labscan.controller.complaint.WatchSettings watchSettings;
    java.util.Optional<io.labscan.controller.report.SmtpRelay> reportRelay;
    java.util.Optional<java.net.URI> reportDashboard;
    java.util.Optional<io.labscan.controller.oidc.SingleSignOn> sso;
    io.labscan.controller.store.DatabaseUrl dbUrl;
    io.labscan.controller.store.DatabaseCredentials dbCredentials;
    Path db;
    try {
      dbUrl = database.url();
      if (dbUrl instanceof io.labscan.controller.store.DatabaseUrl.Postgres && pkiDir == null) {
        throw new IllegalArgumentException("--pki-dir DIR is required with a postgresql:// --db: the CA and server "
            + "certificate have no database file to live beside (give every controller the same folder's content)");
      }
      dbCredentials = database.credentials(dbUrl);
      // With PostgreSQL only a name: ControllerRuntime takes the CA from --pki-dir, and nothing opens it as a file.
      db = dbUrl.localFile().orElseGet(() -> pkiDir.toAbsolutePath().resolve("postgresql"));
      trustConfig = TrustConfig.of(trust);
      tlsSans.forEach(ServerNames::parse);
      dashboard.validate();
      // At least one report of the largest size a message may have: a smaller quota would refuse
      // such a report on every day, and the agent's spool would hold everything behind it.
      long minQuota = io.labscan.controller.grpc.GrpcServers.MAX_INBOUND_MESSAGE_BYTES / (1024 * 1024);
      if (hostDailyQuotaMib < minQuota || hostDailyQuotaMib > 1024 * 1024) {
        throw new IllegalArgumentException("--host-daily-quota must be between " + minQuota
            + " MiB (one report of the largest message size) and 1048576 MiB, not " + hostDailyQuotaMib);
      }
      retentionSettings = retention.retention();
      mailboxes = complaintMailboxes.mailboxes();
      watchSettings = complaintMailboxes.settings();
      reportRelay = reportMail.relay();
      reportDashboard = reportMail.dashboardUrl();
      options = new ControllerRuntime.Options(db, bind, grpcPort, insecure,
          enrollPort == null ? OptionalInt.empty() : OptionalInt.of(enrollPort), tlsSans,
          new RateLimiter.Rate(reportRate, reportBurst), hostDailyQuotaMib * 1024 * 1024,
          java.util.Optional.ofNullable(pkiDir).map(p -> p.toAbsolutePath()));
      options.effectiveEnrollPort();
      // Single sign-on: every option checked and the provider's discovery document read before
      // anything starts; an unreachable provider only warns (SingleSignOn explains why).
      sso = oidc.settings().map(s -> io.labscan.controller.oidc.SingleSignOn.start(s,
          io.labscan.controller.oidc.SingleSignOn.httpClient(), Clock.systemUTC()));
    } catch (IllegalArgumentException e) {
      System.err.println("labscan-controller serve: " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    if (insecure) {
      System.err.println("WARNING: plaintext gRPC: agents' reports travel unencrypted and unauthenticated, and "
          + "anybody who can reach port " + grpcPort + " can report as any host.");
    }
    ControllerConfig config = ControllerConfig.builder(db).clock(Clock.systemUTC()).trust(trustConfig)
        .alertWebhook(dashboard.alertWebhook()).alertSyslog(dashboard.alertSyslog()).retention(retentionSettings)
        .build();
    Controller services;
    if (dbUrl instanceof io.labscan.controller.store.DatabaseUrl.Postgres) {
      try {
        services = Controller.open(config, io.labscan.controller.store.Storage.open(dbUrl, dbCredentials,
            config.clock()));
      } catch (io.labscan.controller.store.StoreException e) {
        System.err.println("labscan-controller serve: " + e.getMessage());
        return 1;
      }
    } else {
      services = Controller.open(config);
    }
    String where = dbUrl instanceof io.labscan.controller.store.DatabaseUrl.Postgres ? dbUrl.toString()
        : db.toAbsolutePath().toString();
    ControllerRuntime controller;
    Dashboard http;
    try {
      controller = ControllerRuntime.start(services, options);
      // Alerts, campaigns, snapshots, sweeps, retention and the change feed: independent of HTTP.
      services.startBackgroundJobs();
      http = Dashboard.start(httpBind, httpPort, dashboard, services, new EngineTriageRunner(services.complaints()),
          trustConfig.entries(), System.err, sso);
      reportRelay.ifPresent(relay -> {
        services.startReportDelivery(new io.labscan.controller.report.SmtpReportMailer(relay, services.clock()),
            reportDashboard);
        System.err.println("labscan-controller: scheduled reports go through " + relay.describe() + " from "
            + relay.from());
      });
      if (!mailboxes.isEmpty()) {
        services.watchComplaintMailboxes(mailboxes, watchSettings);
        System.err.println("labscan-controller: watching " + mailboxes.size() + " complaint mailbox(es): "
            + mailboxes.stream().map(m -> m.address().key()).toList());
      }
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      http.close();
      controller.close();
      services.close();
    }, "labscan-controller-shutdown"));
    if (controller.certificateAuthority().isPresent()) {
      System.err.printf("labscan-controller: gRPC (mTLS) on %s:%d, enrolment on %s:%d, HTTP on http://%s:%d/, "
              + "database %s%n", bind, controller.grpcPort(), bind, controller.enrollPort().orElseThrow(), httpBind,
          http.port(), where);
      System.err.println("CA fingerprint (SHA-256): " + controller.certificateAuthority().get().fingerprint());
      System.err.println("Enrol agents with a token from: labscan-controller enroll-token --db "
          + database.value().orElseThrow()
          + (pkiDir == null ? "" : " --pki-dir " + pkiDir.toAbsolutePath())
          + (database.passwordFile == null ? "" : " --db-password-file " + database.passwordFile));
    } else {
      System.err.printf("labscan-controller: gRPC (plaintext) on %s:%d, HTTP on http://%s:%d/, database %s%n",
          bind, controller.grpcPort(), httpBind, http.port(), where);
    }
    controller.awaitTermination();
    return 0;
  }
}
