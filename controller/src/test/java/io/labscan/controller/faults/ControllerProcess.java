package io.labscan.controller.faults;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.labscan.contract.enrolment.EnrolmentToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real controller, {@code java -jar controller/target/labscan-controller.jar serve}, in a
 * JVM of its own, restarted as often as a test likes on the same ports and database.
 * {@link #kill()} is SIGKILL ({@link Process#destroyForcibly()} on Linux; the exit status
 * 137 = 128 + 9 proves it): no shutdown hook runs, nothing is flushed or closed.
 *
 * <p>Everything the controller prints goes to one log file, appended run after run, so a
 * failing test can show what the controller said.
 */
final class ControllerProcess implements AutoCloseable {
  /** Exit status of a process ended by SIGKILL. */
  static final int KILLED = 128 + 9;
  /** What {@code serve} prints once everything listens, the web UI included. */
  private static final String SERVING = "labscan-controller: gRPC (mTLS) on ";
  /** What the controller logs once its agent and enrolment ports listen (the web UI starts after). */
  private static final String AGENT_PORTS_OPEN = "gRPC for agents (mTLS) on port ";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** The SQLite file; empty for a controller on PostgreSQL. */
  private final Optional<Path> database;
  /** {@code --db} and what goes with it ({@code --db-password-file}, {@code --pki-dir}). */
  private final List<String> databaseArgs;
  private final Path log;
  private final List<String> prefix;
  private final int grpcPort;
  private final int enrolPort;
  private final int httpPort;
  private Process process;
  private int starts;

  /**
   * @param database the database as the controller sees it
   * @param log where the controller's output goes (as this JVM sees it)
   * @param prefix command run before {@code java}, e.g. {@code nsenter} into a mount namespace
   */
  ControllerProcess(Path database, Path log, List<String> prefix) {
    this(Optional.of(requireNonNull(database, "database")), List.of("--db", database.toString()), log, prefix);
  }

  private ControllerProcess(Optional<Path> database, List<String> databaseArgs, Path log, List<String> prefix) {
    this.database = database;
    this.databaseArgs = List.copyOf(databaseArgs);
    this.log = requireNonNull(log, "log");
    this.prefix = List.copyOf(prefix);
    int[] ports = freePorts(3);
    this.grpcPort = ports[0];
    this.enrolPort = ports[1];
    this.httpPort = ports[2];
  }

  ControllerProcess(Path database, Path log) {
    this(database, log, List.of());
  }

  /**
   * A controller on PostgreSQL: {@code serve --db URL --db-password-file FILE --pki-dir DIR}
   * (several of these share one database, and the CA by the same {@code pki} folder content).
   */
  static ControllerProcess onPostgres(String url, Path passwordFile, Path pkiDir, Path log) {
    return new ControllerProcess(Optional.empty(), List.of("--db", url, "--db-password-file", passwordFile.toString(),
        "--pki-dir", pkiDir.toString()), log, List.of());
  }

  /**
   * A fresh log file named for {@code test} under {@code target/fault-logs}, kept after the
   * test so a failure can be read alongside the test report.
   */
  static Path logFor(String test) {
    try {
      Path folder = Files.createDirectories(Path.of(System.getProperty("labscan.fault.logs", "target/fault-logs")));
      Path log = folder.resolve(test + ".log");
      Files.deleteIfExists(log);
      return log.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shaded jar {@code package} built (failsafe passes its path). */
  static Path jar() {
    Path jar = Path.of(System.getProperty("labscan.controller.jar", "target/labscan-controller.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " does not exist: run these tests with "
          + "'./mvnw verify' (they need the jar 'package' builds)");
    }
    return jar.toAbsolutePath();
  }

  /**
   * {@code n} distinct free ports: every socket stays open until all are taken, so the kernel
   * cannot hand the same ephemeral port out twice (it did: gRPC and HTTP on one port).
   */
  private static int[] freePorts(int n) {
    List<ServerSocket> sockets = new java.util.ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // closing a listening socket we opened: nothing to do
        }
      }
    }
  }

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Small: the controller restarts several times per test on a 2-core machine. (Not C1-only:
    // the TLS handshakes of a whole fleet reconnecting need the optimising compiler.)
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-jar", jar().toString()));
    command.addAll(List.of(args));
    return command;
  }

  /** Issues an enrolment token with the real CLI (creating the database and CA if needed). */
  EnrolmentToken enrolmentToken(int uses) {
    try {
      Path out = Files.createTempFile("labscan-token", ".txt");
      try {
        Path file = database.orElseThrow(() -> new IllegalStateException("enroll-token takes a SQLite file only"));
        Process cli = new ProcessBuilder(command("enroll-token", "--db", file.toString(), "--ttl", "1h",
            "--uses", Integer.toString(uses)))
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        if (!cli.waitFor(90, TimeUnit.SECONDS)) {
          cli.destroyForcibly();
          throw new IllegalStateException("enroll-token did not finish:\n" + logText());
        }
        String token = Files.readString(out, StandardCharsets.UTF_8).trim();
        if (cli.exitValue() != 0) {
          throw new IllegalStateException("enroll-token failed with " + cli.exitValue() + ": " + token + "\n"
              + logText());
        }
        return EnrolmentToken.parse(token);
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts {@code serve} and waits until it is fully up; fails with its output if it exits instead. */
  void start() {
    startAndAwait(SERVING);
  }

  /**
   * Starts {@code serve} and returns as soon as the agent and enrolment ports listen, while
   * the web UI may still be starting: agents need nothing else, and with a fleet reconnecting
   * the web UI can take many seconds more.
   */
  void startAgentPorts() {
    startAndAwait(AGENT_PORTS_OPEN);
  }

  private void startAndAwait(String ready) {
    long from = marker("start " + (starts + 1));
    Process started = launch();
    await("controller start " + starts).atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
        .until(() -> logSince(from).contains(ready) || !started.isAlive());
    if (!started.isAlive()) {
      throw new IllegalStateException("The controller exited with " + started.exitValue() + " instead of starting:\n"
          + logSince(from));
    }
  }

  /**
   * Starts {@code serve} and waits for it to exit (a controller that must refuse to start);
   * returns its exit status and what it printed.
   */
  Exit startExpectingExit() {
    long from = marker("start " + (starts + 1) + " (expected to fail)");
    Process started = launch();
    try {
      if (!started.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException("The controller kept running:\n" + logSince(from));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    process = null;
    return new Exit(started.exitValue(), logSince(from));
  }

  /** An exit status and the output of the run that ended. */
  record Exit(int status, String output) {}

  private Process launch() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("The controller is already running");
    }
    starts++;
    try {
      List<String> args = new ArrayList<>(List.of("serve"));
      args.addAll(databaseArgs);
      args.addAll(List.of("--bind", "127.0.0.1", "--grpc-port", Integer.toString(grpcPort), "--enroll-port",
          Integer.toString(enrolPort), "--http-port", Integer.toString(httpPort)));
      process = new ProcessBuilder(command(args.toArray(String[]::new)))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .start();
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL; returns the exit status (137 when the signal did it). */
  int kill() {
    return end(true);
  }

  /** SIGTERM, the way systemd stops it; returns the exit status. */
  int stop() {
    return end(false);
  }

  private int end(boolean force) {
    Process p = requireNonNull(process, "not running");
    if (force) {
      p.destroyForcibly();
    } else {
      p.destroy();
    }
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("The controller did not end");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    process = null;
    return p.exitValue();
  }

  /** True while the controller process started last is alive. */
  boolean isRunning() {
    return process != null && process.isAlive();
  }

  String agentTarget() {
    return "127.0.0.1:" + grpcPort;
  }

  /** The web UI and JSON API, {@code http://127.0.0.1:PORT}. */
  String httpBase() {
    return "http://127.0.0.1:" + httpPort;
  }

  String enrolTarget() {
    return "127.0.0.1:" + enrolPort;
  }

  /** Where the controller's output goes. */
  Path logFile() {
    return log;
  }

  /** Everything every run printed. */
  String logText() {
    return logSince(0);
  }

  private String logSince(long offset) {
    try {
      byte[] all = Files.readAllBytes(log);
      return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Writes a separator into the log and returns the offset after it. */
  private long marker(String what) {
    try {
      Files.writeString(log, "===== test: controller " + what + " =====\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      return Files.size(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }
}
