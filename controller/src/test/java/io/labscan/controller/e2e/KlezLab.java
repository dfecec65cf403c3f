package io.labscan.controller.e2e;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.labscan.testsupport.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lab of the Klez story, built from real parts in network namespaces: a controller, a mail
 * exchanger (Postfix) for the lab's domain, Linda's PC {@code lab-pc-07}, Harold's PC
 * {@code lab-pc-12}, and {@code relay}, a host with a Postfix relay that policy lets send mail.
 * The controller and the agents are the project's runnable jars, each in its own JVM.
 *
 * <p>The controller side comes in two shapes ({@link Controllers}): one {@code serve} on a SQLite
 * file, or two {@code serve} processes in namespaces of their own ({@code ctrl}, {@code ctrl2})
 * on one PostgreSQL database, every agent given both addresses, half of them the second one
 * first. The command line the story uses is the same in both, pointed at the file or the
 * database.
 *
 * <p>Everything it creates goes away in {@link #close()}, which also runs from a shutdown hook
 * if the test JVM is stopped while a lab is up.
 */
final class KlezLab implements AutoCloseable {
  static final String DOMAIN = "labscan.test";
  static final String LAB = "physics";
  static final String SUBNET = "10.203.79";
  static final int GRPC_PORT = 7443;
  static final Path LOG_ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");

  static final String LINDA_PC = "lab-pc-07";
  static final String HAROLD_PC = "lab-pc-12";
  static final String RELAY = "relay";
  static final String HAROLD = "harold@" + DOMAIN;
  static final String JANET = "janet@" + DOMAIN;
  static final String LINDA = "linda@" + DOMAIN;

  /** Port on a controller namespace's loopback where {@code unixforward.py} gives it the database. */
  static final int DB_PORT_IN_NAMESPACE = 5432;

  /** The controllers of the lab and where they keep their data. */
  enum Controllers {
    /** One {@code serve} on a SQLite file: the embedded default. */
    ONE_ON_SQLITE,
    /**
     * Two {@code serve} processes on one PostgreSQL database (issue 20): one fleet, whichever
     * controller an agent reports to and whichever the operator asks.
     */
    TWO_ON_POSTGRESQL
  }

  /**
   * The lab's PostgreSQL: a server on the machine's loopback ({@link PostgresServer}), one
   * database with its owner, and the owner's password in an owner-only file.
   */
  private record Postgres(PostgresServer server, PostgresServer.TestDatabase database, Path passwordFile) {
    /** The URL of {@code --db}, for a client reaching the server at {@code port} on its loopback. */
    String url(int port) {
      return "postgresql://" + database.user() + "@127.0.0.1:" + port + "/" + database.name();
    }
  }

  private static final Set<KlezLab> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(KlezLab::closeAll, "klez-lab-cleanup"));
  }

  /** Closes every lab still up (after the tests, and when the JVM is stopped). */
  static void closeAll() {
    OPEN.forEach(KlezLab::close);
  }

  final Path dir;
  final Path logs;
  final TestNetwork net;
  final Controllers controllers;
  /** The controllers' hosts: {@code ctrl}, and {@code ctrl2} on PostgreSQL. */
  final List<TestNetwork.Host> controllerHosts;
  final TestNetwork.Host mx;
  final TestNetwork.Host lindasPc;
  final TestNetwork.Host haroldsPc;
  final TestNetwork.Host relay;
  final ControllerCli cli;
  final ControllerDb db;
  private final Path agentJar;
  private final Path controllerJar;
  private final List<AutoCloseable> running = new ArrayList<>();
  private final Map<String, LabProcess> agents = new LinkedHashMap<>();
  /** Postfix's folders: a temporary folder Postfix's own users can reach. */
  private final Path postfixRoot;
  private Postfix mailExchanger;
  private Postfix relayMta;
  private final List<LabProcess> controllerProcesses = new ArrayList<>();
  private final Optional<Postgres> postgres;
  private Optional<String> logAllNetnsBefore = Optional.empty();
  private boolean closed;

  private KlezLab(Path dir, Path postfixRoot, TestNetwork net, Path agentJar, Path controllerJar,
      Controllers controllers, Optional<Postgres> postgres) throws IOException {
    this.dir = dir;
    this.postfixRoot = postfixRoot;
    this.logs = dir.resolve("logs");
    this.net = net;
    this.agentJar = agentJar;
    this.controllerJar = controllerJar;
    this.controllers = controllers;
    this.postgres = postgres;
    this.controllerHosts = controllers == Controllers.ONE_ON_SQLITE ? List.of(net.add("ctrl", 2))
        : List.of(net.add("ctrl", 2), net.add("ctrl2", 3));
    this.mx = net.add("mx", 25);
    this.relay = net.add("relay", 26);
    this.lindasPc = net.add("pc07", 107);
    this.haroldsPc = net.add("pc12", 112);
    if (postgres.isPresent()) {
      Postgres pg = postgres.get();
      // The command line runs in the machine's own namespace: the server's loopback port directly.
      this.cli = new ControllerCli(controllerJar, List.of("--db", pg.url(pg.server().port()), "--db-password-file",
          pg.passwordFile().toString()), Map.of("enroll-token", List.of("--pki-dir", pkiDir().toString())), logs);
      this.db = ControllerDb.postgres(pg.database());
    } else {
      this.cli = new ControllerCli(controllerJar, List.of("--db", database().toString()), Map.of(), logs);
      this.db = ControllerDb.sqlite(database());
    }
  }

  /** Builds the network and starts both Postfix instances (and PostgreSQL); nothing LabScan runs yet. */
  static KlezLab create(Path dir, Path agentJar, Path controllerJar, Controllers controllers) throws Exception {
    requireNonNull(dir, "dir");
    requireNonNull(controllers, "controllers");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    // PostgreSQL first: where it is missing the test skips before any namespace exists.
    Optional<Postgres> postgres = Optional.empty();
    if (controllers == Controllers.TWO_ON_POSTGRESQL) {
      PostgresServer server = PostgresServer.start();
      try {
        PostgresServer.TestDatabase database = server.createDatabase();
        Path passwordFile = dir.resolve("controller/db.pw");
        Files.createDirectories(passwordFile.getParent());
        Files.writeString(passwordFile, database.password() + "\n");
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        postgres = Optional.of(new Postgres(server, database, passwordFile));
      } catch (Exception | AssertionError e) {
        server.close();
        throw e;
      }
    }
    TestNetwork net;
    try {
      net = TestNetwork.create(SUBNET);
    } catch (IOException | RuntimeException e) {
      closePostgres(postgres);
      throw e;
    }
    Path postfixRoot = null;
    KlezLab lab;
    try {
      postfixRoot = Files.createTempDirectory("labscan-e2e-");
      Files.setPosixFilePermissions(postfixRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
      lab = new KlezLab(dir, postfixRoot, net, agentJar, controllerJar, controllers, postgres);
    } catch (IOException | RuntimeException e) {
      net.close();
      if (postfixRoot != null) {
        Postfix.delete(postfixRoot);
      }
      closePostgres(postgres);
      throw e;
    }
    OPEN.add(lab);
    try {
      lab.mailExchanger = Postfix.mailExchanger(lab.mx, lab.postfixRoot.resolve("mx"), dir.resolve("mx"),
          "mx." + DOMAIN, DOMAIN, List.of("janet", "harold", "linda"));
      lab.running.add(lab.mailExchanger);
      lab.relayMta = Postfix.relay(lab.relay, lab.postfixRoot.resolve("relay"), dir.resolve("relay-mta"),
          "relay." + DOMAIN, lab.mx.ip());
      lab.running.add(lab.relayMta);
    } catch (IOException | RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  Path database() {
    return dir.resolve("controller/labscan.db");
  }

  /** The CA's folder: beside the SQLite file, and shared by the controllers on PostgreSQL. */
  Path pkiDir() {
    return database().resolveSibling("pki");
  }

  Path scanRoot(TestNetwork.Host host) {
    return dir.resolve(host.role).resolve("root");
  }

  Postfix mailExchanger() {
    return mailExchanger;
  }

  /**
   * Lets the kernel write netfilter log lines from namespaces other than the first (the agents'
   * event mode reads them); the previous value comes back in {@link #close()}.
   */
  void logFromEveryNamespace() throws IOException {
    logAllNetnsBefore = Optional.of(Files.readString(LOG_ALL_NETNS).strip());
    Files.writeString(LOG_ALL_NETNS, "1");
  }

  /**
   * {@code labscan-controller serve} in each controller's namespace: mTLS on the controller's
   * address, enrolment beside it. On PostgreSQL every controller reaches the database through
   * {@code unixforward.py} on its namespace's loopback, and all share one {@code --pki-dir} (the
   * CA; the server certificate names every controller's address, so each reuses it).
   */
  void startController() throws IOException {
    Files.createDirectories(database().getParent());
    for (TestNetwork.Host host : controllerHosts) {
      List<String> command = new ArrayList<>(host.exec(Java.command(Java.SERVICE)));
      command.addAll(List.of("-jar", controllerJar.toString(), "serve"));
      if (postgres.isPresent()) {
        Postgres pg = postgres.get();
        LabProcess forward = LabProcess.start("db-forward-" + host.role, host.exec(List.of(python(),
            script("unixforward.py").toString(), Integer.toString(DB_PORT_IN_NAMESPACE),
            pg.server().socket().toString())), logs);
        running.add(forward);
        await().atMost(Duration.ofSeconds(30)).until(() -> forward.log().contains("forwarding"));
        command.addAll(List.of("--db", pg.url(DB_PORT_IN_NAMESPACE), "--db-password-file", pg.passwordFile().toString(),
            "--pki-dir", pkiDir().toString()));
      } else {
        command.addAll(List.of("--db", database().toString()));
      }
      command.addAll(List.of("--bind", host.ip(), "--grpc-port", Integer.toString(GRPC_PORT)));
      controllerHosts.forEach(h -> command.addAll(List.of("--tls-san", h.ip())));
      command.addAll(List.of("--trust", mx.ip(), "--http-port", "0"));
      LabProcess controller = LabProcess.start(controllerHosts.size() == 1 ? "controller" : "controller-" + host.role,
          command, logs);
      controllerProcesses.add(controller);
      running.add(controller);
    }
  }

  /** Every controller serves agents. */
  boolean controllerServing() {
    for (int i = 0; i < controllerHosts.size(); i++) {
      if (i >= controllerProcesses.size()
          || !controllerProcesses.get(i).log().contains("gRPC (mTLS) on " + controllerHosts.get(i).ip())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The controller addresses an agent's {@code agent.yaml} lists, in the agent's order: with
   * two controllers every other agent has the second one first, so the fleet reports to both.
   */
  private String controllerAddresses(int agentNumber) {
    List<String> order = new ArrayList<>();
    for (int i = 0; i < controllerHosts.size(); i++) {
      order.add(controllerHosts.get((agentNumber + i) % controllerHosts.size()).ip() + ":" + GRPC_PORT);
    }
    return String.join(",", order);
  }

  /**
   * {@code labscan-agent run} in the host's namespace, with a UTS namespace of its own so the
   * agent reports {@code hostname}, enrolling with {@code token} from its {@code agent.yaml}.
   */
  void startAgent(TestNetwork.Host host, String hostname, String token) throws IOException {
    Path home = dir.resolve(host.role);
    Path state = home.resolve("state");
    Files.createDirectories(state);
    Files.createDirectories(scanRoot(host));
    Path config = home.resolve("agent.yaml");
    Files.writeString(config, """
        controller: %s
        token: %s
        stateDir: %s
        lab: %s
        scanRoot: %s
        """.formatted(controllerAddresses(agents.size()), token, state, LAB, scanRoot(host)));
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    List<String> inNamespaces = new ArrayList<>(List.of(Commands.required("unshare", "util-linux"), "--uts", "--",
        "/bin/sh", "-c", "hostname \"$0\" && exec \"$@\"", hostname));
    inNamespaces.addAll(Java.command(Java.SERVICE));
    inNamespaces.addAll(List.of("-jar", agentJar.toString(), "run", "--config", config.toString()));
    LabProcess agent = LabProcess.start("agent-" + hostname, host.exec(inNamespaces), logs);
    agents.put(hostname, agent);
    running.add(agent);
  }

  LabProcess agent(String hostname) {
    return requireNonNull(agents.get(hostname), hostname);
  }

  /** Runs the worm on Linda's PC: {@code count} messages to Janet "from" Harold, straight to the MX. */
  void worm(int count, Duration hold, String marker) throws IOException {
    Path script = script("worm.py");
    Commands.run(lindasPc.exec(List.of(python(), script.toString(), mx.ip(), Integer.toString(count),
        String.format(Locale.ROOT, "%.3f", hold.toMillis() / 1000.0), marker, HAROLD, JANET,
        haroldsPc.ip())), Duration.ofSeconds(120)).orThrow();
  }

  /**
   * One more session of the worm on Linda's PC, whatever comes of it (under quarantine its
   * connection is refused and the script fails).
   */
  Commands.Result wormOnce(String marker) throws IOException {
    return Commands.run(lindasPc.exec(List.of(python(), script("worm.py").toString(), mx.ip(), "1", "0", marker,
        HAROLD, JANET, haroldsPc.ip())), Duration.ofSeconds(60));
  }

  /**
   * A sender policy allows on Linda's PC: the same SMTP client run as the system user
   * {@code daemon} (as a local Postfix's smtp runs as {@code postfix}), straight to the MX.
   */
  void allowedSenderOnLindasPc(String marker) throws IOException {
    Path scripts = postfixRoot.resolve("scripts");
    Files.createDirectories(scripts);
    Files.setPosixFilePermissions(scripts, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path script = scripts.resolve("worm.py");
    Files.copy(script("worm.py"), script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
    Commands.run(lindasPc.exec(List.of(Commands.required("setpriv", "util-linux"), "--reuid=daemon", "--regid=daemon",
        "--clear-groups", python(), script.toString(), mx.ip(), "1", "0", marker, LINDA, JANET, lindasPc.ip())),
        Duration.ofSeconds(60)).orThrow();
  }

  /** A user on the relay host hands a newsletter to the relay's Postfix, which sends it to the MX. */
  void newsletterThroughTheRelay(String marker) throws IOException {
    Commands.run(relay.exec(List.of(python(), script("submit.py").toString(), marker, "seminars@" + DOMAIN, JANET)))
        .orThrow();
  }

  static String python() {
    return Commands.required("python3", "python3");
  }

  private Path script(String name) throws IOException {
    Path file = dir.resolve("scripts").resolve(name);
    if (!Files.exists(file)) {
      Files.createDirectories(file.getParent());
      try (InputStream in = KlezLab.class.getResourceAsStream(name)) {
        Files.write(file, requireNonNull(in, name).readAllBytes());
      }
    }
    return file;
  }

  /** The tails of every log of the lab, for a failure report. */
  String tails() {
    StringBuilder sb = new StringBuilder("==== KlezStoryIT: logs under " + logs + "\n");
    controllerProcesses.forEach(c -> sb.append(c.tails(40)));
    running.stream().filter(r -> r instanceof LabProcess p && p.name().startsWith("db-forward-"))
        .forEach(r -> sb.append(((LabProcess) r).tails(10)));
    agents.values().forEach(a -> sb.append(a.tails(30)));
    for (Postfix p : new Postfix[] {mailExchanger, relayMta}) {
      if (p != null) {
        sb.append("---- ").append(p).append(": ").append(p.log()).append('\n').append(LabProcess.tail(p.log(), 20));
      }
    }
    return sb.toString();
  }

  /** Stops the agents, the controller and Postfix, removes the namespaces and restores the sysctl. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Agents first, side by side: each flushes its open egress window and removes its nftables table.
    List<CompletableFuture<Void>> stopping = agents.values().stream()
        .map(a -> CompletableFuture.runAsync(() -> closeQuietly(a))).toList();
    stopping.forEach(CompletableFuture::join);
    // Then the controller, then Postfix.
    List<AutoCloseable> rest = new ArrayList<>(running);
    rest.removeAll(agents.values());
    Collections.reverse(rest);
    rest.forEach(KlezLab::closeQuietly);
    closePostgres(postgres);
    net.close();
    Postfix.delete(postfixRoot);
    logAllNetnsBefore.ifPresent(value -> {
      try {
        Files.writeString(LOG_ALL_NETNS, value);
      } catch (IOException e) {
        System.err.println("KlezStoryIT: cannot restore " + LOG_ALL_NETNS + " to " + value + ": " + e.getMessage());
      }
    });
    OPEN.remove(this);
  }

  private static void closePostgres(Optional<Postgres> postgres) {
    postgres.ifPresent(pg -> closeQuietly(pg.server()));
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("KlezStoryIT: closing " + c + ": " + e);
    }
  }
}
