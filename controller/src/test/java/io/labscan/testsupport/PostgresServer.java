package io.labscan.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for a test: Debian's {@code postgresql} package ({@code initdb} and
 * {@code pg_ctl} from {@code /usr/lib/postgresql/VERSION/bin}, the newest version installed, or
 * from {@code PATH} elsewhere), a fresh cluster in a temporary folder, listening on 127.0.0.1 on
 * a free port only (its Unix socket in its own folder), password authentication
 * ({@code scram-sha-256}) for every connection, and TLS with a throwaway certificate for
 * 127.0.0.1 made here (BouncyCastle) so that tests can check {@code sslmode=verify-full}.
 *
 * <p><b>Root.</b> {@code initdb} refuses to run as root, and a server must not. When the tests
 * run as root (CI, {@code .ci/run}), the cluster belongs to the {@code postgres} system user the
 * Debian package creates (else {@code nobody}) and every server command runs through
 * {@code runuser -u USER --}; the folder is created by this class and handed to that user. Not
 * as root, everything runs as the current user.
 *
 * <p><b>Missing.</b> Without the binaries the test skips loudly, and fails under
 * {@code LABSCAN_STRICT=1} ({@link Requirements}) or {@code CI=true}. The system cluster the package installs is
 * never used: {@code .ci/run} stops and disables it.
 *
 * <p>Start one per test class (a cluster takes a few seconds to create): {@code @BeforeAll
 * server = PostgresServer.start()}, {@code @AfterAll server.close()}; each test takes a
 * database of its own with {@link #createDatabase()}. The superuser {@value #SUPERUSER} owns
 * the cluster; {@link #createDatabase()} makes an ordinary role owning one fresh database, as a
 * deployment would give the controller.
 */
public final class PostgresServer implements AutoCloseable {
  /** The cluster's superuser (used by the harness only). */
  public static final String SUPERUSER = "labscan_admin";
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final Path dir;
  private final Path bin;
  private final Optional<String> runAs;
  private final int port;
  private final String superPassword;
  private final Path certificate;
  private boolean running;

  private PostgresServer(Path dir, Path bin, Optional<String> runAs, int port, String superPassword, Path certificate) {
    this.dir = dir;
    this.bin = bin;
    this.runAs = runAs;
    this.port = port;
    this.superPassword = superPassword;
    this.certificate = certificate;
  }

  /** A database and an ordinary role (its owner) with a password, made for one test. */
  public record TestDatabase(String host, int port, String name, String user, String password) {
    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + name;
    }

    /** The {@code --db} form: {@code postgresql://127.0.0.1:PORT/NAME}. */
    public String url() {
      return "postgresql://" + host + ":" + port + "/" + name;
    }

    public Connection connect() throws SQLException {
      Properties p = new Properties();
      p.setProperty("user", user);
      p.setProperty("password", password);
      p.setProperty("sslmode", "disable");
      return DriverManager.getConnection(jdbcUrl(), p);
    }
  }

  /** The newest PostgreSQL server binaries folder on this machine (holding initdb and pg_ctl). */
  public static Optional<Path> binaries() {
    List<Path> candidates = new ArrayList<>();
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(debian)) {
        for (Path v : versions) {
          candidates.add(v.resolve("bin"));
        }
      } catch (IOException e) {
        // fall through to PATH
      }
    }
    candidates.sort(Comparator.comparing((Path p) -> version(p.getParent().getFileName().toString())).reversed());
    Requirements.here().findOnPath("initdb").map(Path::getParent).ifPresent(candidates::add);
    return candidates.stream()
        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
        .findFirst();
  }

  private static int version(String name) {
    try {
      return Integer.parseInt(name.replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Creates and starts a cluster; skips loudly (fails, strict) where PostgreSQL is not installed. */
  public static PostgresServer start() throws Exception {
    Optional<Path> found = binaries();
    if (found.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
      // CI machines install it (.ci/run); a CI run must never pass with the PostgreSQL tests skipped.
      throw new org.opentest4j.AssertionFailedError("CI=true but PostgreSQL's initdb and pg_ctl are missing "
          + "(Debian package postgresql, /usr/lib/postgresql/*/bin): the PostgreSQL tests must run in CI");
    }
    Requirements.that(found.isPresent(),
        "PostgreSQL's initdb and pg_ctl (Debian package postgresql, /usr/lib/postgresql/*/bin)",
        "sudo .ci/run installs it");
    Path bin = found.orElseThrow();
    Optional<String> runAs = Optional.empty();
    if (Requirements.isRoot()) {
      Optional<Path> runuser = Stream.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")
          .map(Path::of).filter(Files::isExecutable).findFirst();
      Optional<String> user = Stream.of("postgres", "nobody").filter(PostgresServer::userExists).findFirst();
      Requirements.that(runuser.isPresent() && user.isPresent(),
          "runuser (util-linux) and a user 'postgres' or 'nobody' to run PostgreSQL as (initdb refuses root)",
          "sudo .ci/run installs postgresql, which creates the postgres user");
      runAs = user;
    }
    Path dir = Files.createTempDirectory("labscan-pg-");
    Path data = dir.resolve("data");
    String superPassword = UUID.randomUUID().toString();
    Files.writeString(dir.resolve("superuser.pw"), superPassword + "\n");
    Path cert = dir.resolve("server.crt");
    LoopbackCertificate.write(cert, dir.resolve("server.key"), "labscan-test-postgresql", "localhost");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    if (runAs.isPresent()) {
      chownTree(dir, runAs.get());
    }
    int port = FreePorts.one();
    PostgresServer server = new PostgresServer(dir, bin, runAs, port, superPassword, cert);
    try {
      server.run(Duration.ofMinutes(2), bin.resolve("initdb").toString(), "-D", data.toString(),
          "--username=" + SUPERUSER, "--pwfile=" + dir.resolve("superuser.pw"), "--auth=scram-sha-256",
          "--encoding=UTF8", "--locale=C", "--no-sync");
      Files.writeString(data.resolve("postgresql.conf"), """

          # labscan test server
          listen_addresses = '127.0.0.1'
          port = %d
          unix_socket_directories = '%s'
          fsync = off
          synchronous_commit = off
          full_page_writes = off
          shared_buffers = 16MB
          max_connections = 60
          ssl = on
          ssl_cert_file = '%s'
          ssl_key_file = '%s'
          log_min_messages = warning
          """.formatted(port, dir, cert, dir.resolve("server.key")), StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
      // Password (SCRAM) for every TCP connection, with or without TLS.
      Files.writeString(data.resolve("pg_hba.conf"), """
          local all all scram-sha-256
          host all all 127.0.0.1/32 scram-sha-256
          """);
      server.startServer();
      return server;
    } catch (Exception | AssertionError e) {
      server.close();
      throw e;
    }
  }

  private void startServer() throws Exception {
    Path log = dir.resolve("server.log");
    run(Duration.ofMinutes(1), bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
        "-l", log.toString(), "start");
    running = true;
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .alias("PostgreSQL on 127.0.0.1:" + port + " accepting connections; its log: " + log)
        .ignoreExceptionsMatching(e -> e instanceof SQLException)
        .until(() -> {
          try (Connection c = superuser("postgres")) {
            return c.isValid(5);
          }
        });
  }

  /** Stops the server (fast shutdown: connections are cut) and keeps the cluster. */
  public void stop() throws Exception {
    if (running) {
      run(Duration.ofMinutes(1), bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(),
          "-m", "fast", "-w", "stop");
      running = false;
    }
  }

  /** Starts a stopped server again on the same port with the same data. */
  public void restart() throws Exception {
    stop();
    startServer();
  }

  /** A connection as the superuser to {@code database}, without TLS. */
  public Connection superuser(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", SUPERUSER);
    p.setProperty("password", superPassword);
    p.setProperty("sslmode", "disable");
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, p);
  }

  /** A fresh, empty database owned by a fresh ordinary role with a random password. */
  public TestDatabase createDatabase() throws SQLException {
    int n = DATABASES.incrementAndGet();
    String name = "labscan_test_" + n;
    String user = "labscan_" + n;
    String password = UUID.randomUUID().toString();
    try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password + "'");
      st.execute("CREATE DATABASE " + name + " OWNER " + user);
    }
    try (Connection c = superuser(name); Statement st = c.createStatement()) {
      // PostgreSQL 15 no longer lets every role create in public; the owner of the database should.
      st.execute("ALTER SCHEMA public OWNER TO " + user);
    }
    return new TestDatabase("127.0.0.1", port, name, user, password);
  }

  public int port() {
    return port;
  }

  /**
   * The server's Unix socket (in its own folder, owned by the cluster's user): for a client in
   * another network namespace, where 127.0.0.1 is not this server's loopback.
   */
  public Path socket() {
    return dir.resolve(".s.PGSQL." + port);
  }

  /** The PEM certificate the server presents for 127.0.0.1 (self-signed: the sslrootcert to trust). */
  public Path certificate() {
    return certificate;
  }

  /** The server's log, for a failing test's message. */
  public String log() {
    try {
      Path log = dir.resolve("server.log");
      return Files.exists(log) ? Files.readString(log) : "(no log)";
    } catch (IOException e) {
      return "(unreadable log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws Exception {
    try {
      stop();
    } finally {
      TestFolders.deleteTree(dir);
    }
  }

  /** Runs a server command (as the cluster's user when root); fails with its output unless it exits 0. */
  private void run(Duration limit, String... command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    if (runAs.isPresent()) {
      argv.addAll(List.of("runuser", "-u", runAs.get(), "--"));
    }
    argv.addAll(List.of(command));
    Path out = Files.createTempFile("labscan-pg-cmd", ".out");
    try {
      Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(String.join(" ", argv) + " did not finish within " + limit
            + ": " + Files.readString(out));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", argv) + " exited " + p.exitValue() + ": "
            + Files.readString(out) + "\n" + log());
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static boolean userExists(String name) {
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(name + ":"));
    } catch (IOException e) {
      return false;
    }
  }

  private static void chownTree(Path root, String user) throws IOException {
    UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
    UserPrincipal owner = lookup.lookupPrincipalByName(user);
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        Files.setOwner(p, owner);
      }
    }
  }
}
