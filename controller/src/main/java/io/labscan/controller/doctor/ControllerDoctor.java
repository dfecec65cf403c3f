package io.labscan.controller.doctor;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.policy.PolicyProvider;
import io.labscan.contract.doctor.Finding;
import io.labscan.contract.doctor.Probes;
import io.labscan.contract.trust.Pem;
import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.postgres.PostgresDatabase;
import io.labscan.controller.store.TrustedMtas;
import io.labscan.controller.trust.CertificateAuthority;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code labscan-controller doctor}: what a new controller installation gets wrong, each with
 * the command that fixes it.
 *
 * <ul>
 *   <li>the database: missing, not writable (file or folder: SQLite writes its journal beside
 *       it), unreadable; its size and what it holds;
 *   <li>the CA and the server certificate in {@code pki/}: missing, ended, ending within 30 days,
 *       not valid yet (a clock set back); the names agents may use to reach the controller;
 *   <li>the ports {@code serve} would use (same flags and defaults): each must be free, or held
 *       by a running controller; two roles on one port is a problem;
 *   <li>agents that enrolled but never delivered a report (an agent that cannot reach the agent
 *       port, or whose service never started);
 *   <li>warnings, which do not change the exit code: no host is a mail server in the policy, and
 *       triage knows no MTA of the site (no {@code --trust}, no Settings entry, no mail-server host).
 * </ul>
 *
 * <p>Trusted MTAs come from serve's {@code --trust} flags (doctor takes the same flags) and from
 * the database (Settings page entries, hosts with the mail-server role). Read-only: nothing is created, and
 * the database is only opened (and migrated, as any command does) when it exists and is writable.
 */
public final class ControllerDoctor {
  /** What {@code serve} would run with: the options doctor shares with it. */
  public record Settings(DatabaseUrl database, DatabaseCredentials credentials, Optional<Path> pkiDir, int grpcPort,
      Optional<Integer> enrollPort, int httpPort, String bind, String httpBind, boolean insecure, List<String> trust) {
    public Settings {
      requireNonNull(database, "database");
      requireNonNull(credentials, "credentials");
      requireNonNull(pkiDir, "pkiDir");
      requireNonNull(enrollPort, "enrollPort");
      requireNonNull(bind, "bind");
      requireNonNull(httpBind, "httpBind");
      trust = List.copyOf(trust);
    }

    /** A SQLite database file with its CA in {@code pki/} beside it. */
    public Settings(Path db, int grpcPort, Optional<Integer> enrollPort, int httpPort, String bind, String httpBind,
        boolean insecure, List<String> trust) {
      this(new DatabaseUrl.EmbeddedFile(db), new DatabaseCredentials("", Optional.empty()), Optional.empty(), grpcPort,
          enrollPort, httpPort, bind, httpBind, insecure, trust);
    }

    /** The flags naming the database (and CA folder) in a suggested command: {@code --db X [--pki-dir D]}. */
    String databaseFlags() {
      return "--db " + database + pkiDir.map(d -> " --pki-dir " + d).orElse("");
    }
  }

  private final Clock clock;
  private final Duration timeout;

  public ControllerDoctor(Clock clock, Duration timeout) {
    this.clock = requireNonNull(clock, "clock");
    this.timeout = requireNonNull(timeout, "timeout");
  }

  public List<Finding> examine(Settings s) {
    requireNonNull(s, "settings");
    List<Finding> findings = new ArrayList<>();
    boolean usable = s.database() instanceof DatabaseUrl.Postgres pg
        ? PostgresChecks.examine(pg, s.credentials(), s.databaseFlags(), findings)
        : database(s.database().localFile().orElseThrow(), findings);
    if (!s.insecure()) {
      pki(s, findings);
    } else {
      findings.add(Finding.warning("--insecure: plaintext gRPC, no enrolment, anybody can report as any host",
          "drop --insecure from serve's flags (LABSCAN_CONTROLLER_FLAGS in /etc/default/labscan-controller)"));
    }
    ports(s, findings);
    if (usable) {
      try (Storage store = open(s)) {
        fleet(s, store, findings);
      } catch (RuntimeException e) {
        findings.add(Finding.problem("cannot read the database " + s.database() + ": " + e.getMessage(),
            "restore it from a backup, or move it aside and start serve to create a new one"));
      }
    }
    if (!usable) {
      trust(s.trust(), List.of(), List.of(), findings);
    }
    return List.copyOf(findings);
  }

  /**
   * The database for the fleet checks; a PostgreSQL one is opened without creating a schema
   * (PostgresChecks found one) on a small pool.
   */
  private Storage open(Settings s) {
    if (s.database() instanceof DatabaseUrl.Postgres pg) {
      return new Storage(PostgresDatabase.open(pg, s.credentials(), clock, 1, false));
    }
    return Storage.open(s.database().localFile().orElseThrow());
  }

  /** True when the SQLite database file exists and can be opened for writing. */
  private static boolean database(Path file, List<Finding> findings) {
    Path db = file.toAbsolutePath();
    Path folder = db.getParent();
    if (!Files.exists(db)) {
      findings.add(Finding.problem("the database " + db + " does not exist",
          "labscan-controller serve --db " + db + " (creates it; or enroll-token --db " + db + ")"));
      return false;
    }
    if (!Files.isRegularFile(db)) {
      findings.add(Finding.problem(db + " is not a file", "give --db the database file, e.g. "
          + "/var/lib/labscan-controller/labscan.db"));
      return false;
    }
    String user = System.getProperty("user.name");
    if (!Files.isWritable(db) || (folder != null && !Files.isWritable(folder))) {
      String what = !Files.isWritable(db) ? "the database " + db : "its folder " + folder;
      findings.add(Finding.problem(what + " is not writable by " + user
              + " (serve refuses to start; run doctor as the account serve runs as)",
          "sudo chown -R labscan-controller: " + folder + " (the packaged service's account)"));
      return false;
    }
    try {
      findings.add(Finding.ok("the database " + db + " is writable (" + size(Files.size(db)) + ")"));
    } catch (IOException e) {
      findings.add(Finding.problem("cannot read the size of " + db + ": " + e.getMessage(), "ls -l " + db));
    }
    return true;
  }

  private void pki(Settings s, List<Finding> findings) {
    Optional<Path> local = s.pkiDir().or(() -> s.database().localFile().map(CertificateAuthority::folderFor));
    if (local.isEmpty()) {
      findings.add(Finding.problem("no --pki-dir: with a postgresql:// --db, serve keeps the CA in the folder "
              + "--pki-dir names (there is no database file to keep pki/ beside)",
          "give serve and doctor the same --pki-dir DIR (e.g. /etc/labscan-controller/pki)"));
      return;
    }
    Path folder = local.get();
    Path ca = folder.resolve("ca.crt");
    Path server = folder.resolve("server.crt");
    Instant now = clock.instant();
    if (!Files.isRegularFile(ca)) {
      findings.add(Finding.problem("no CA yet in " + folder + " (agents cannot enrol)",
          "labscan-controller enroll-token " + s.databaseFlags() + " (creates the CA and a token)"));
      return;
    }
    certificate(ca, "the CA certificate " + ca, findings).ifPresent(c -> Probes.datesProblem(
        "the CA certificate " + ca, c, now).ifPresentOrElse(
            p -> findings.add(Finding.problem(p, p.contains("clock")
                ? "set this machine's clock (timedatectl set-ntp true)"
                : "a new CA means enrolling every agent again: move " + folder + " aside, restart serve, "
                    + "and enrol the agents with a new enroll-token (labscan-agent enroll --force)")),
            () -> findings.add(Finding.ok("the CA certificate is " + Probes.validUntil(c)))));
    if (!Files.isRegularFile(server)) {
      findings.add(Finding.ok("no server certificate yet: serve issues one at its first start"));
      return;
    }
    certificate(server, "the server certificate " + server, findings).ifPresent(c -> {
      Probes.datesProblem("the server certificate " + server, c, now).ifPresentOrElse(
          p -> findings.add(Finding.problem(p, p.contains("clock")
              ? "set this machine's clock (timedatectl set-ntp true)"
              : "restart serve: it reissues a server certificate within 30 days of its end "
                  + "(sudo systemctl restart labscan-controller)")),
          () -> findings.add(Finding.ok("the server certificate is " + Probes.validUntil(c)
              + "; agents may reach the controller as " + String.join(", ", names(c))
              + " (more with serve --tls-san NAME)")));
    });
  }

  private static Optional<X509Certificate> certificate(Path file, String name, List<Finding> findings) {
    try {
      List<X509Certificate> all = Pem.readCertificates(Files.readString(file));
      if (!all.isEmpty()) {
        return Optional.of(all.get(0));
      }
      findings.add(Finding.problem(name + " holds no certificate", "restore " + file + " from the backup of pki/"));
    } catch (IOException | CertificateException | RuntimeException e) {
      findings.add(Finding.problem(name + " is unreadable: " + e.getMessage(),
          "restore " + file + " from the backup of pki/"));
    }
    return Optional.empty();
  }

  private static List<String> names(X509Certificate c) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = c.getSubjectAlternativeNames();
      if (alternatives != null) {
        alternatives.forEach(entry -> names.add(String.valueOf(entry.get(1))));
      }
    } catch (CertificateParsingException e) {
      names.add("(unreadable names: " + e.getMessage() + ")");
    }
    return names;
  }

  private void ports(Settings s, List<Finding> findings) {
    Map<String, Integer> roles = new LinkedHashMap<>();
    roles.put("--grpc-port (agents)", s.grpcPort());
    if (!s.insecure()) {
      roles.put("--enroll-port (enrolment)", s.enrollPort().orElse(s.grpcPort() + 1));
    }
    roles.put("--http-port (web UI)", s.httpPort());
    Map<Integer, String> seen = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> role : roles.entrySet()) {
      int port = role.getValue();
      String bind = role.getKey().startsWith("--http") ? s.httpBind() : s.bind();
      if (seen.containsKey(port)) {
        findings.add(Finding.problem(role.getKey() + " and " + seen.get(port) + " are both port " + port,
            "give each its own port, e.g. --http-port 8080 --grpc-port 7443 --enroll-port 7444"));
        continue;
      }
      seen.put(port, role.getKey());
      findings.add(port(role.getKey(), bind, port));
    }
  }

  private Finding port(String role, String bind, int port) {
    String probeHost = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    if (Probes.connectRefusal(probeHost, port, timeout).isEmpty()) {
      return Finding.ok(role + " " + bind + ":" + port + ": something listens there (a running controller?)");
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
      return Finding.ok(role + " " + bind + ":" + port + " is free for serve");
    } catch (IOException | RuntimeException e) {
      String flag = role.substring(0, role.indexOf(' '));
      return Finding.problem(role + " " + bind + ":" + port + " cannot be used: " + e.getMessage()
              + (port < 1024 ? " (ports below 1024 need root)" : ""),
          "serve " + flag + " N with a free port, or find what holds it: ss -ltnp 'sport = :" + port + "'");
    }
  }

  private void fleet(Settings s, Storage store, List<Finding> findings) {
    long hosts = store.hostIds().size();
    findings.add(Finding.ok("the database holds " + hosts + (hosts == 1 ? " host" : " hosts") + " and "
        + store.reportCount() + " reports (schema version " + store.schemaVersion() + ")"));
    List<String> silent = store.read(db -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement q = db.prepareStatement("SELECT e.host_id, COALESCE(h.hostname, '') FROM host_enrolments e"
          + " LEFT JOIN hosts h ON h.host_id = e.host_id"
          + " WHERE h.last_report_ms IS NULL AND e.host_id NOT IN (SELECT host_id FROM revoked_hosts)"
          + " ORDER BY e.enrolled_ms LIMIT 21")) {
        try (ResultSet r = q.executeQuery()) {
          while (r.next()) {
            ids.add(r.getString(2).isEmpty() ? r.getString(1) : r.getString(2) + " (" + r.getString(1) + ")");
          }
        }
      }
      return ids;
    });
    if (!silent.isEmpty()) {
      String list = String.join(", ", silent.subList(0, Math.min(20, silent.size())))
          + (silent.size() > 20 ? ", ..." : "");
      findings.add(Finding.problem(silent.size() + (silent.size() > 20 ? "+" : "") + " enrolled "
              + (silent.size() == 1 ? "agent has" : "agents have") + " never delivered a report: " + list,
          "on each: labscan-agent doctor --config /etc/labscan/agent.yaml (and journalctl -u labscan-agent)"));
    }
    if (hosts > 0 && store.hostsWithRole(PolicyProvider.MAIL_SERVER_ROLE).isEmpty()) {
      findings.add(Finding.warning("no host is a mail server in the policy: every host's outbound SMTP is "
              + "forbidden egress, a lab relay's too",
          "labscan-controller policy --db " + s.database() + " --mail-server HOST (for each host that relays mail)"));
    }
    List<String> settings = new TrustedMtas(store.database(), clock).list().stream().map(TrustedMtas.Entry::entry).toList();
    trust(s.trust(), settings, List.copyOf(store.hostsWithRole(PolicyProvider.MAIL_SERVER_ROLE)), findings);
  }

  /**
   * Whether triage knows any MTA of the site: {@code --trust} entries, the Settings page's
   * entries, or hosts with the mail-server role (learned trust). With none, answers stop at the
   * delivering MTA's line and are never recorded as evidence (docs/triage.md).
   */
  private static void trust(List<String> flags, List<String> settings, List<String> mailServers,
      List<Finding> findings) {
    if (flags.isEmpty() && settings.isEmpty() && mailServers.isEmpty()) {
      findings.add(Finding.warning("triage knows none of your mail servers: no --trust, no trusted MTA on the "
              + "Settings page, and no host with the mail-server role, so complaint answers cannot be followed "
              + "back through your MX and are never recorded as evidence",
          "give your MX's agent the role (labscan-controller policy --mail-server MX_HOST), or add it on the "
              + "Settings page, or add --trust MX_HOST_OR_CIDR to serve's flags "
              + "(LABSCAN_CONTROLLER_FLAGS in /etc/default/labscan-controller)"));
      return;
    }
    List<String> known = new ArrayList<>(flags);
    known.addAll(settings);
    mailServers.forEach(id -> known.add("mail-server host " + id));
    findings.add(Finding.ok("triage trusts the Received: lines of " + String.join(", ",
        known.subList(0, Math.min(20, known.size()))) + (known.size() > 20 ? ", ..." : "")));
  }

  private static String size(long bytes) {
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
  }
}
