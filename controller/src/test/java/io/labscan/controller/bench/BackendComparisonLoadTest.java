package io.labscan.controller.bench;

import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.testsupport.PostgresServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run, one load generator ({@link ControllerLoadTest}), three deployments, one after the
 * other on the same machine: (a) one controller on SQLite, (b) one controller on PostgreSQL,
 * (c) two controllers on one PostgreSQL, the agents split between them. Every controller is a
 * real {@code labscan-controller serve} process started by the real launcher with the shipped
 * JVM profile (as {@code docs/bench/controller-load.sh} starts one); PostgreSQL is Debian's
 * server started by {@link BenchPostgres} (durable commits, as deployed). Each deployment gets
 * a fresh, empty database and the same agents count, rates and step length.
 *
 * <p>Per step it prints what {@link ControllerLoadTest} prints (latency, controller CPU by
 * thread) plus, on PostgreSQL, the database's cost per report ({@link PostgresProbe}); at the
 * end a table of every deployment's steps.
 *
 * <p>Arguments: {@code LAUNCHER OUT_DIR AGENTS [rates=500,1000,1500,2000,3000] [stepSeconds=15]
 * [heartbeatWindowSeconds=60] [deployments=sqlite,postgresql,postgresql-x2] [heartbeatSeconds=60]
 * [serveFlags]}, {@code serveFlags} comma-separated extra {@code serve} flags (e.g.
 * {@code --report-rate=50,--report-burst=500} when few agents stand for many). {@code LAUNCHER}
 * is the {@code labscan-controller} launcher beside {@code share/labscan-controller/} holding
 * the jar and {@code jvm.options} ({@code docs/bench/controller-load-backends.sh} lays it out).
 * Ports: {@code BENCH_PORT} (default 17643) and the next eight.
 */
public final class BackendComparisonLoadTest {
  private BackendComparisonLoadTest() {}

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of(args[0]).toAbsolutePath();
    Path out = Path.of(args[1]).toAbsolutePath();
    int agents = Integer.parseInt(args[2]);
    int[] rates = ControllerLoadTest.parseRates(args.length > 3 ? args[3] : "500,1000,1500,2000,3000");
    int step = args.length > 4 ? Integer.parseInt(args[4]) : 15;
    int window = args.length > 5 ? Integer.parseInt(args[5]) : 60;
    List<String> deployments = List.of((args.length > 6 ? args[6] : "sqlite,postgresql,postgresql-x2").split(","));
    int heartbeatSeconds = args.length > 7 ? Integer.parseInt(args[7]) : 60;
    List<String> serveFlags = args.length > 8 && !args[8].isBlank() ? List.of(args[8].split(",")) : List.of();
    int basePort = Integer.parseInt(System.getenv().getOrDefault("BENCH_PORT", "17643"));
    Files.createDirectories(out);
    Map<String, ControllerLoadTest.RunResult> results = new LinkedHashMap<>();
    PostgresServer postgres = deployments.stream().anyMatch(d -> d.startsWith("postgresql")) ? BenchPostgres.start()
        : null;
    try {
      for (String deployment : deployments) {
        ControllerLoadTest.log("=== deployment %s: %d agents | %s", deployment, agents, ControllerLoadTest.load());
        Path dir = out.resolve(deployment);
        Files.createDirectories(dir);
        List<Process> controllers = new ArrayList<>();
        PostgresProbe probe = null;
        try {
          Path ca;
          List<String> targets = new ArrayList<>();
          if (deployment.equals("sqlite")) {
            Path db = dir.resolve("controller/labscan.db");
            controllers.add(serve(launcher, dir.resolve("state"), dir.resolve("controller.err"), basePort,
                concat(List.of("--db", db.toString()), serveFlags), Map.of()));
            ca = CertificateAuthority.folderFor(db);
            targets.add("127.0.0.1:" + basePort);
          } else if (deployment.startsWith("postgresql")) {
            int count = deployment.endsWith("-x2") ? 2 : 1;
            PostgresServer.TestDatabase db = postgres.createDatabase();
            ca = dir.resolve("pki");
            Map<String, String> env = Map.of("LABSCAN_DB_USER", db.user(), "LABSCAN_DB_PASSWORD", db.password());
            for (int i = 0; i < count; i++) {
              int port = basePort + 3 * i;
              // One after the other: the first creates the shared CA in --pki-dir and migrates.
              controllers.add(serve(launcher, dir.resolve("state-" + i), dir.resolve("controller-" + i + ".err"), port,
                  concat(List.of("--db", db.url() + "?sslmode=disable", "--pki-dir", ca.toString()), serveFlags), env));
              targets.add("127.0.0.1:" + port);
            }
            probe = new PostgresProbe(postgres, db);
          } else {
            throw new IllegalArgumentException("unknown deployment " + deployment
                + " (sqlite, postgresql, postgresql-x2)");
          }
          List<Long> pids = controllers.stream().map(Process::pid).toList();
          results.put(deployment, ControllerLoadTest.run(ca, targets, pids, agents, rates, step, window,
              heartbeatSeconds, probe == null ? ControllerLoadTest.DbProbe.NONE : probe));
        } finally {
          for (Process p : controllers) {
            p.destroy(); // SIGTERM: the controller stops as it does under systemd
          }
          for (Process p : controllers) {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
              p.destroyForcibly();
            }
          }
          if (probe != null) {
            probe.close();
          }
        }
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
    summary(results);
    System.exit(0);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Starts {@code serve} on loopback (gRPC {@code port}, enrolment +1, HTTP +2) and waits for its gRPC port. */
  private static Process serve(Path launcher, Path state, Path err, int port, List<String> db, Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(launcher.toString(), "serve"));
    command.addAll(db);
    command.addAll(List.of("--bind", "127.0.0.1", "--grpc-port", Integer.toString(port), "--enroll-port",
        Integer.toString(port + 1), "--http-port", Integer.toString(port + 2)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(err.toFile());
    builder.environment().put("LABSCAN_STATE_DIR", state.toString());
    builder.environment().putAll(env);
    Process p = builder.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        throw new IllegalStateException("serve exited " + p.exitValue() + ": " + Files.readString(err));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        ControllerLoadTest.log("controller pid %d listening on %d (%s)", p.pid(), port, String.join(" ", db)
            .replaceAll("password=[^&\\s]*", "password=…"));
        return p;
      } catch (IOException notYet) {
        TimeUnit.MILLISECONDS.sleep(500);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("serve did not listen on " + port + " within 180 s: " + Files.readString(err));
  }

  private static void summary(Map<String, ControllerLoadTest.RunResult> results) {
    System.out.println();
    System.out.println("| deployment | idle heartbeats p99 | rate/s | acked/s | p50 / p99 ms | kept up | heartbeats"
        + " in step: n, p99 ms | controller CPU µs/report (cores) | PostgreSQL server CPU µs/report |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    results.forEach((deployment, r) -> {
      for (ControllerLoadTest.StepResult s : r.steps()) {
        System.out.printf(Locale.ROOT, "| %s | %.1f ms | %d | %.0f | %.1f / %.1f | %s | %d, %.1f | %.0f (%.2f) | %s |%n",
            deployment, r.idleHeartbeatP99Ms(), s.rate(), s.ackedPerSecond(), s.p50Ms(), s.p99Ms(),
            s.keptUp() ? (s.p99Ms() < 100 ? "yes, p99 < 100 ms" : "yes") : "no", s.heartbeats(), s.heartbeatP99Ms(),
            s.controllerMicrosPerReport(), s.controllerCores(),
            Double.isNaN(s.dbMicrosPerReport()) ? "—" : String.format(Locale.ROOT, "%.0f", s.dbMicrosPerReport()));
      }
    });
    System.out.println();
    results.forEach((deployment, r) -> {
      double best = r.steps().stream().filter(s -> s.keptUp() && s.p99Ms() < 100)
          .mapToDouble(ControllerLoadTest.StepResult::rate).max().orElse(Double.NaN);
      System.out.printf(Locale.ROOT, "%s: highest rate with p99 < 100 ms: %s; connect %.1f s (%d failed);"
          + " heartbeat errors %d; idle heartbeats %s%n", deployment,
          Double.isNaN(best) ? "none" : String.format(Locale.ROOT, "%.0f/s", best), r.connectSeconds(),
          r.connectFailures(), r.heartbeatErrors(), r.idleHeartbeats());
    });
  }
}
