package io.labscan.controller.bench;

import com.google.protobuf.util.Timestamps;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.transport.GrpcChannels;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.controller.TestReports;
import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.CommandStreamRequest;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.EnrollResponse;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.ReportRequest;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Load generator for a running controller ({@code labscan-controller serve}) on loopback: N
 * simulated agents, each with its own key, its own client certificate issued by the
 * controller's CA (read from the CA folder beside the database, as the enrolment service
 * would issue it) and its own mutual-TLS gRPC channel and connection. Each agent registers
 * with {@code Enroll}, holds the server-streamed {@code Commands} call open, and sends a
 * heartbeat every 60 s at a random phase, as the real agent does. Then nightly reports are
 * sent open-loop at increasing rates, spread round-robin over the agents, and the latency of
 * each Report call (sent → acknowledged, i.e. committed) is recorded.
 *
 * <p>What is simulated: certificates are issued directly by the CA instead of through the
 * enrolment port (enrolment is a one-off per machine); the agents live in one JVM and share
 * its Netty event loops, as N processes would not. Everything the controller sees per agent
 * (TLS handshake, certificate, connection, calls) is real.
 *
 * <p>Arguments: {@code DB TARGET CONTROLLER_PID AGENTS [reportRates=100,500,1000,2000,5000,10000]
 * [stepSeconds=20] [heartbeatWindowSeconds=120]}. {@code TARGET} and {@code CONTROLLER_PID} may
 * be comma-separated lists (several controllers on one database): agent {@code i} then connects
 * to target {@code i mod n}, and the CPU printed is the sum over every listed controller.
 * {@link BackendComparisonLoadTest} runs it against SQLite, PostgreSQL and two controllers on
 * one PostgreSQL in one run.
 */
public final class ControllerLoadTest {
  private static final int MAX_IN_FLIGHT = 20_000;

  private final List<String> targets;
  private final List<Long> controllerPids;
  private final DbProbe dbProbe;
  private long heartbeatMillis = 60_000;
  private final List<Agent> agents = new ArrayList<>();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "load-timer");
    t.setDaemon(true);
    return t;
  });
  private final Latencies heartbeats = new Latencies();
  /** Heartbeats answered during the current report step only. */
  private final Latencies stepHeartbeats = new Latencies();
  private final AtomicLong heartbeatErrors = new AtomicLong();
  private final AtomicLong streamErrors = new AtomicLong();
  private volatile String lastError = "";

  private ControllerLoadTest(List<String> targets, List<Long> controllerPids, DbProbe dbProbe) {
    this.targets = List.copyOf(targets);
    this.controllerPids = List.copyOf(controllerPids);
    this.dbProbe = dbProbe;
  }

  /** Database-side counters sampled before and after each step (PostgreSQL: {@link PostgresProbe}). */
  interface DbProbe {
    DbProbe NONE = new DbProbe() {
      @Override
      public Map<String, Double> snapshot() {
        return Map.of();
      }

      @Override
      public String describe(Map<String, Double> before, Map<String, Double> after, long acked, double seconds) {
        return "";
      }
    };

    Map<String, Double> snapshot();

    /** The step's database cost, per report acknowledged where that makes sense. */
    String describe(Map<String, Double> before, Map<String, Double> after, long acked, double seconds);

    /** Database server CPU in the step, µs per report (NaN when not measured). */
    default double cpuMicrosPerReport(Map<String, Double> before, Map<String, Double> after, long acked) {
      Double b = before.get("cpu_ms");
      Double a = after.get("cpu_ms");
      return b == null || a == null || acked == 0 ? Double.NaN : (a - b) * 1e3 / acked;
    }
  }

  /** One report step's outcome, for a summary across runs. */
  record StepResult(int rate, long acked, double ackedPerSecond, double p50Ms, double p99Ms, boolean keptUp,
      double controllerMicrosPerReport, double controllerCores, double heartbeatP99Ms, long heartbeats,
      double dbMicrosPerReport, String db) {}

  /** One whole run: the idle heartbeat window, then the report steps. */
  record RunResult(String idleHeartbeats, double idleHeartbeatP99Ms, long heartbeatErrors, long connectFailures,
      double connectSeconds, List<StepResult> steps) {}

  public static void main(String[] args) throws Exception {
    Path db = Path.of(args[0]);
    List<String> targets = List.of(args[1].split(","));
    List<Long> pids = Arrays.stream(args[2].split(",")).map(Long::parseLong).toList();
    int n = Integer.parseInt(args[3]);
    int[] rates = args.length > 4 ? parseRates(args[4]) : new int[] {100, 500, 1_000, 2_000, 5_000, 10_000};
    int stepSeconds = args.length > 5 ? Integer.parseInt(args[5]) : 20;
    int heartbeatWindow = args.length > 6 ? Integer.parseInt(args[6]) : 120;
    run(CertificateAuthority.folderFor(db), targets, pids, n, rates, stepSeconds, heartbeatWindow, 60, DbProbe.NONE);
    System.exit(0);
  }

  static int[] parseRates(String rates) {
    return Arrays.stream(rates.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  /**
   * One whole run against running controllers: issue certificates from the CA in
   * {@code caFolder}, connect {@code n} agents spread over {@code targets}, an idle heartbeat
   * window, a warm-up step, then the report steps until one does not keep up. The agents'
   * channels are closed at the end. Each agent heartbeats every {@code heartbeatSeconds} (the
   * real agent: 60; fewer agents beating more often stand for a larger fleet's heartbeat load).
   */
  static RunResult run(Path caFolder, List<String> targets, List<Long> pids, int n, int[] rates, int stepSeconds,
      int heartbeatWindow, int heartbeatSeconds, DbProbe probe) throws Exception {
    ControllerLoadTest test = new ControllerLoadTest(targets, pids, probe);
    test.heartbeatMillis = heartbeatSeconds * 1_000L;
    log("start: %d agents against %s (controller pids %s) | %s", n, targets, pids, load());
    test.issue(caFolder, n);
    long t0 = System.nanoTime();
    long failed = test.connect();
    double connectSeconds = (System.nanoTime() - t0) / 1e9;
    log("heartbeat window %d s", heartbeatWindow);
    test.heartbeats.reset();
    TimeUnit.SECONDS.sleep(heartbeatWindow);
    String idle = test.heartbeats.summary();
    double idleP99 = test.heartbeats.percentileMs(99);
    log("heartbeats: %s, errors %d, stream errors %d | controller %s", idle,
        test.heartbeatErrors.get(), test.streamErrors.get(), test.controllerMemory());
    // Warm-up (JIT, SQLite caches), not counted. WARMUP_S (default 10) makes it longer: at half
    // the first rate a 10 s step leaves the controller's JIT compiling through the first steps.
    int warmupSeconds = warmupSeconds(System.getenv("WARMUP_S"));
    log("warm-up step (%d s):", warmupSeconds);
    test.reportStep(Math.max(10, rates[0] / 2), warmupSeconds);
    List<StepResult> steps = new ArrayList<>();
    for (int rate : rates) {
      StepResult step = test.reportStep(rate, stepSeconds);
      steps.add(step);
      if (!step.keptUp()) {
        break; // the controller no longer keeps up: higher rates say nothing more
      }
    }
    log("end | controller %s | %s", test.controllerMemory(), load());
    test.timers.shutdownNow();
    for (Agent a : test.agents) {
      if (a.channel != null) {
        a.channel.shutdownNow();
      }
    }
    for (Agent a : test.agents) {
      if (a.channel != null) {
        a.channel.awaitTermination(10, TimeUnit.SECONDS);
      }
    }
    return new RunResult(idle, idleP99, test.heartbeatErrors.get(), failed, connectSeconds, steps);
  }

  /** One key and one CA-issued client certificate per agent. */
  private void issue(Path caFolder, int n) throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(caFolder, Clock.systemUTC());
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      String hostId = UUID.randomUUID().toString();
      KeyPair keys = generator.generateKeyPair();
      AgentCredentials credentials = new AgentCredentials(keys.getPrivate(), ca.issueClient(keys.getPublic(), hostId),
          ca.certificate());
      agents.add(new Agent(i, hostId, credentials));
    }
    log("issued %d client certificates in %.1f s", n, (System.nanoTime() - t0) / 1e9);
  }

  /** Opens every agent's channel (TLS handshake), enrols it, opens its command stream, starts heartbeats. */
  private long connect() throws InterruptedException {
    long t0 = System.nanoTime();
    Semaphore inFlight = new Semaphore(200); // handshakes at a time, as agents starting over minutes would
    CountDownLatch done = new CountDownLatch(agents.size());
    AtomicLong failed = new AtomicLong();
    for (Agent a : agents) {
      inFlight.acquire();
      a.channel = GrpcChannels.mutualTls(targets.get(a.index % targets.size()), a.credentials);
      a.stub = AgentServiceGrpc.newStub(a.channel);
      a.stub.enroll(EnrollRequest.newBuilder().setHostId(a.hostId).setHostname(a.hostname())
          .setAgentVersion("0.1.0-load").build(), new StreamObserver<>() {
            @Override
            public void onNext(EnrollResponse value) {}

            @Override
            public void onError(Throwable t) {
              failed.incrementAndGet();
              lastError = t.toString();
              inFlight.release();
              done.countDown();
            }

            @Override
            public void onCompleted() {
              openCommands(a);
              long phase = ThreadLocalRandom.current().nextLong(heartbeatMillis);
              timers.scheduleAtFixedRate(() -> heartbeat(a), phase, heartbeatMillis, TimeUnit.MILLISECONDS);
              inFlight.release();
              done.countDown();
            }
          });
    }
    done.await();
    log("connected %d agents (%d failed%s) in %.1f s | controller %s", agents.size() - failed.get(), failed.get(),
        failed.get() > 0 ? ": " + lastError : "", (System.nanoTime() - t0) / 1e9, controllerMemory());
    return failed.get();
  }

  private void openCommands(Agent a) {
    a.stub.commands(CommandStreamRequest.newBuilder().setHostId(a.hostId).build(), new StreamObserver<>() {
      @Override
      public void onNext(Command value) {}

      @Override
      public void onError(Throwable t) {
        streamErrors.incrementAndGet();
        lastError = t.toString();
      }

      @Override
      public void onCompleted() {}
    });
  }

  private void heartbeat(Agent a) {
    long t0 = System.nanoTime();
    a.stub.withDeadlineAfter(30, TimeUnit.SECONDS).heartbeat(HeartbeatRequest.newBuilder().setHostId(a.hostId)
        .setSent(Timestamps.fromMillis(System.currentTimeMillis())).setAgentVersion("0.1.0-load")
        .setPolicyVersion(a.policyVersion).build(), new StreamObserver<>() {
          @Override
          public void onNext(HeartbeatResponse value) {
            a.policyVersion = value.getPolicyVersion();
          }

          @Override
          public void onError(Throwable t) {
            heartbeatErrors.incrementAndGet();
            lastError = t.toString();
          }

          @Override
          public void onCompleted() {
            long took = System.nanoTime() - t0;
            heartbeats.add(took);
            stepHeartbeats.add(took);
          }
        });
  }

  /**
   * Sends reports open-loop at {@code rate} per second for {@code seconds}; prints whether the
   * step met "p99 under 100 ms"; {@link StepResult#keptUp()} false when the controller did not
   * keep up (errors, or the rate not reached).
   */
  private StepResult reportStep(int rate, int seconds) throws InterruptedException {
    Latencies latencies = new Latencies();
    AtomicLong errors = new AtomicLong();
    Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    AtomicLong sent = new AtomicLong();
    AtomicLong refusedLocally = new AtomicLong();
    long total = (long) rate * seconds;
    stepHeartbeats.reset();
    Map<String, Double> dbBefore = dbProbe.snapshot();
    Map<String, Long> cpuBefore = controllerThreadCpu();
    long ownCpuBefore = ownCpuNanos();
    long start = System.nanoTime();
    int next = 0;
    // Open loop: report k is due at start + k/rate, whatever happened to the earlier ones.
    for (long k = 0; k < total; k++) {
      long due = start + k * 1_000_000_000L / rate;
      long wait = due - System.nanoTime();
      if (wait > 200_000) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      if (!inFlight.tryAcquire()) {
        refusedLocally.incrementAndGet();
        continue;
      }
      Agent a = agents.get(next);
      next = (next + 1) % agents.size();
      Report report = a.nightlyReport(Instant.now());
      long t0 = System.nanoTime();
      sent.incrementAndGet();
      a.stub.withDeadlineAfter(60, TimeUnit.SECONDS).report(ReportRequest.newBuilder().setReport(report).build(),
          new StreamObserver<>() {
            @Override
            public void onNext(ReportAck value) {}

            @Override
            public void onError(Throwable t) {
              errors.incrementAndGet();
              lastError = t.toString();
              inFlight.release();
            }

            @Override
            public void onCompleted() {
              latencies.add(System.nanoTime() - t0);
              inFlight.release();
            }
          });
    }
    double sendSeconds = (System.nanoTime() - start) / 1e9;
    // Wait for the stragglers (bounded).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (inFlight.availablePermits() < MAX_IN_FLIGHT && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    double drainSeconds = (System.nanoTime() - start) / 1e9;
    Map<String, Long> cpuAfter = controllerThreadCpu();
    Map<String, Double> dbAfter = dbProbe.snapshot();
    long ownCpu = ownCpuNanos() - ownCpuBefore;
    long acked = latencies.count();
    double p99 = latencies.percentileMs(99);
    log("reports at %d/s for %d s: sent %d in %.1f s, acked %d (%.0f/s incl. drain %.1f s), errors %d%s,"
        + " over in-flight cap %d; latency %s | heartbeats so far %s, errors %d | controller %s", rate, seconds,
        sent.get(), sendSeconds, acked, acked / drainSeconds, drainSeconds, errors.get(),
        errors.get() > 0 ? " (" + lastError + ")" : "", refusedLocally.get(), latencies.summary(),
        heartbeats.summary(), heartbeatErrors.get(), controllerMemory());
    log("step %d/s CPU: %s", rate, cpuSummary(cpuBefore, cpuAfter, acked, drainSeconds, ownCpu));
    String db = dbProbe.describe(dbBefore, dbAfter, acked, drainSeconds);
    if (!db.isEmpty()) {
      log("step %d/s database: %s", rate, db);
    }
    log("step %d/s heartbeats in the step: %s", rate, stepHeartbeats.summary());
    boolean keptUp = errors.get() == 0 && refusedLocally.get() == 0 && acked / drainSeconds >= rate * 0.95;
    log("step %d/s: %s, p99 %s 100 ms", rate, keptUp ? "kept up" : "did NOT keep up", p99 < 100 ? "under" : "OVER");
    double tick = 1e3 / TICKS_PER_SECOND;
    double controllerMs = (cpuAfter.get("*") - cpuBefore.get("*")) * tick;
    return new StepResult(rate, acked, acked / drainSeconds, latencies.percentileMs(50), p99, keptUp,
        acked == 0 ? Double.NaN : controllerMs * 1e3 / acked, controllerMs / 1e3 / drainSeconds,
        stepHeartbeats.percentileMs(99), stepHeartbeats.count(), dbProbe.cpuMicrosPerReport(dbBefore, dbAfter, acked),
        db);
  }

  /**
   * CPU ticks the controller's threads used, summed by thread name with digits folded
   * ({@code grpc-default-executor-12} → {@code grpc-default-executor-N}), from
   * {@code /proc/PID/task/TID/stat}; key {@code "*"} is the whole process (threads that ended
   * included). With several controllers, the sums are over all of them.
   */
  private Map<String, Long> controllerThreadCpu() {
    Map<String, Long> ticks = new TreeMap<>();
    long total = 0;
    for (long controllerPid : controllerPids) {
      Path tasks = Path.of("/proc", Long.toString(controllerPid), "task");
      try (var dirs = Files.list(tasks)) {
        for (Path task : (Iterable<Path>) dirs::iterator) {
          try {
            String name = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+", "N");
            ticks.merge(name, cpuTicks(Files.readString(task.resolve("stat"))), Long::sum);
          } catch (IOException threadEnded) {
            // gone between the listing and the read
          }
        }
        total += cpuTicks(Files.readString(Path.of("/proc", Long.toString(controllerPid), "stat")));
      } catch (IOException e) {
        total = -1;
        break;
      }
    }
    ticks.put("*", total);
    return ticks;
  }

  /** utime + stime of a {@code stat} line (fields 14 and 15, after the parenthesised name). */
  static long cpuTicks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long ownCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  /** Controller CPU in the step (cores busy, per report acked, by thread group) and the generator's. */
  private static String cpuSummary(Map<String, Long> before, Map<String, Long> after, long acked, double seconds,
      long generatorNanos) {
    double tick = 1e3 / TICKS_PER_SECOND; // ms
    double total = (after.get("*") - before.get("*")) * tick;
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "controller %.1f s CPU (%.2f cores), %.0f µs per report; generator %.1f s (%.2f cores); by thread:",
        total / 1e3, total / 1e3 / seconds, acked == 0 ? Double.NaN : total * 1e3 / acked, generatorNanos / 1e9,
        generatorNanos / 1e9 / seconds));
    after.entrySet().stream().filter(e -> !e.getKey().equals("*"))
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
        .forEach(e -> out.append(String.format(Locale.ROOT, " %s %.2f s;", e.getKey(), e.getValue() * tick / 1e3)));
    return out.toString();
  }

  /** {@code getconf CLK_TCK}: 100 on Linux (x86-64, arm64). */
  static final int TICKS_PER_SECOND = 100;

  /** VmRSS and VmHWM of the controller, and its heap as {@code jcmd GC.heap_info} reports it. */
  private String controllerMemory() {
    StringBuilder out = new StringBuilder();
    for (long controllerPid : controllerPids) {
      if (controllerPids.size() > 1) {
        out.append("[pid ").append(controllerPid).append("] ");
      }
      memoryOf(controllerPid, out);
    }
    return out.toString();
  }

  private static void memoryOf(long controllerPid, StringBuilder out) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(controllerPid), "status"),
          StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:") || line.startsWith("Threads:")) {
          out.append(line.replaceAll("\\s+", " ")).append("; ");
        }
      }
      Process jcmd = new ProcessBuilder("jcmd", Long.toString(controllerPid), "GC.heap_info")
          .redirectErrorStream(true).start();
      String heap = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      jcmd.waitFor(10, TimeUnit.SECONDS);
      for (String line : heap.split("\n")) {
        if (line.contains("total") && line.contains("used")) {
          out.append(line.strip().replaceAll("\\s+", " ")).append("; ");
        }
      }
    } catch (IOException | InterruptedException e) {
      out.append("unavailable: ").append(e.getMessage());
    }
  }

  static String load() {
    try {
      return "loadavg " + Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "loadavg unknown";
    }
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "%tT %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, format, args));
  }

  /** One simulated agent: identity, channel, and the state it reports with. */
  private static final class Agent {
    final int index;
    final String hostId;
    final AgentCredentials credentials;
    ManagedChannel channel;
    AgentServiceGrpc.AgentServiceStub stub;
    volatile long policyVersion;
    private long sequence;

    Agent(int index, String hostId, AgentCredentials credentials) {
      this.index = index;
      this.hostId = hostId;
      this.credentials = credentials;
    }

    String hostname() {
      return String.format(Locale.ROOT, "lab-pc-%05d", index);
    }

    synchronized Report nightlyReport(Instant at) {
      sequence++;
      return ControllerLoadTest.nightlyReport(index, hostId, sequence, at);
    }
  }

  /** The warm-up step's length: {@code WARMUP_S} when set (1..3600 s), else 10 s. */
  static int warmupSeconds(@org.jspecify.annotations.Nullable String value) {
    if (value == null || value.isBlank()) {
      return 10;
    }
    int seconds = Integer.parseInt(value.strip());
    if (seconds < 1 || seconds > 3_600) {
      throw new IllegalArgumentException("WARMUP_S must be 1..3600 seconds: " + value);
    }
    return seconds;
  }

  /** A nightly full-scan report as the agent sends it: inventory, AV status, scan summary, egress windows. */
  static Report nightlyReport(int index, String hostId, long sequence, Instant at) {
      // Synthetic addresses in the report body only: no traffic goes to them.
      String ip = "10." + (index >> 16 & 0xff) + "." + (index >> 8 & 0xff) + "." + (index & 0xff);
      Report.Builder r = Report.newBuilder()
          .setReportId(UUID.randomUUID().toString())
          .setSequence(sequence)
          .setCreated(Timestamps.fromMillis(at.toEpochMilli()))
          .setInventory(HostInventory.newBuilder().setHostId(hostId)
              .setHostname(String.format(Locale.ROOT, "lab-pc-%05d", index))
              .setOsFamily("windows").setOsVersion("Microsoft Windows XP Professional SP1").setAgentVersion("0.1.0")
              .setLab("lab-" + index % 50)
              .addInterfaces(NetworkInterface.newBuilder().setName("eth0")
                  .setMac(String.format(Locale.ROOT, "00:0c:29:%02x:%02x:%02x", index >> 16 & 0xff,
                      index >> 8 & 0xff, index & 0xff))
                  .addIpv4(ip)))
          .addAv(TestReports.freshClamAv())
          .setScan(ScanSummary.newBuilder().setScanId(UUID.randomUUID().toString()).setKind(ScanKind.SCAN_KIND_FULL)
              .setTrigger("schedule").setStarted(Timestamps.fromMillis(at.minusSeconds(600).toEpochMilli()))
              .setFinished(Timestamps.fromMillis(at.toEpochMilli())).setFilesScanned(180_000)
              .setBytesScanned(2_000_000_000L));
      r.addAllEgress(TestReports.mailClientWindows(at, 2));
      return r.build();
  }

  /** Latencies in nanoseconds, thread-safe, kept whole (a step has at most a few hundred thousand). */
  private static final class Latencies {
    private long[] values = new long[1 << 16];
    private int count;

    synchronized void add(long nanos) {
      if (count == values.length) {
        values = Arrays.copyOf(values, count * 2);
      }
      values[count++] = nanos;
    }

    synchronized void reset() {
      count = 0;
    }

    synchronized long count() {
      return count;
    }

    synchronized double percentileMs(double p) {
      if (count == 0) {
        return Double.NaN;
      }
      long[] sorted = Arrays.copyOf(values, count);
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(p / 100.0 * count);
      return sorted[Math.max(0, Math.min(count - 1, rank - 1))] / 1e6;
    }

    String summary() {
      return String.format(Locale.ROOT, "n=%d p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", count(),
          percentileMs(50), percentileMs(90), percentileMs(99), percentileMs(100));
    }
  }
}
