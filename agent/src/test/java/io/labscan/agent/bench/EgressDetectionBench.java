package io.labscan.agent.bench;

import io.labscan.agent.checks.egress.ConnectionObservation;
import io.labscan.agent.checks.egress.ConnectionSource;
import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.EgressEventSource;
import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.EgressWatcher;
import io.labscan.agent.checks.egress.linux.NftablesEventSource;
import io.labscan.agent.checks.egress.linux.NftablesRules;
import io.labscan.agent.checks.egress.linux.ProcNetTcpSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;

/**
 * Share of short SMTP sessions the egress watch sees: polling at the policy default (250 ms)
 * and event mode (nftables log rule + /dev/kmsg), with the product's {@link EgressWatcher},
 * {@link ProcNetTcpSource} and {@link NftablesEventSource}. Sessions run in a private network
 * namespace (own loopback only) against a listener on 127.0.0.1:25, started at random
 * offsets so they fall at every phase of the sampling period.
 *
 * <p>A session counts as seen by polling when a sample reported its client socket (local
 * port), and as seen by event mode when an event named it. The sources are wrapped, not
 * changed: what they hand the watcher is recorded on the way.
 *
 * <p>The sampler reads the namespace as the agent reads its own: netlink sock_diag, through a
 * socket opened inside the namespace ({@link ProcNetTcpSource#inNetworkNamespaceOf}); {@code text}
 * reads {@code /proc/<pid>/net/tcp{,6}} instead (the path before netlink, for comparison).
 *
 * <p>The SMTP server and the mailer are two processes ({@code peers=split}, the default), as
 * in reality where the server is another machine: the sampler names the mailer by reading its
 * descriptors, and the server's sockets are not among them. {@code peers=one} runs both in one
 * process (the harness before 2026-11-27).
 *
 * <p>Warm-up ({@code warmup=jit}, the default): before each watcher is measured, a watcher of
 * the same kind samples every 10 ms through two bursts of each close order (~1,500 samples),
 * so that the sampler's code is compiled by the JIT as in an agent that has been running (at
 * 4 samples a second, the burst path would otherwise run interpreted for minutes).
 * {@code warmup=round} is the earlier harness: one unreported 300 ms round at the measured
 * period, after which much of the burst path still runs in the interpreter (what the first
 * burst a freshly started agent sees costs).
 *
 * <p>Needs root, iproute2, nft, python3, /dev/kmsg. Arguments:
 * {@code [durationsMs=5,50,300,1000,5000] [sessions=200] [periodMs=250] [tables=netlink|text|netlink,text]
 * [peers=split|one] [warmup=jit|round] [modes=poll,event|poll|event]}. Two runs at once (to compare two
 * builds under the same machine load) must not both use event mode: each sets and restores
 * the kernel's {@code nf_log_all_netns}.
 */
public final class EgressDetectionBench {
  private static final Path LOG_ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");

  private EgressDetectionBench() {}

  public static void main(String[] args) throws Exception {
    int[] durations = args.length > 0
        ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {5, 50, 300, 1_000, 5_000};
    int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    long periodMs = args.length > 2 ? Long.parseLong(args[2]) : 250;
    List<String> tables = args.length > 3 ? List.of(args[3].split(",")) : List.of("netlink");
    boolean splitPeers = !(args.length > 4 && args[4].equals("one"));
    boolean jitWarmUp = !(args.length > 5 && args[5].equals("round"));
    List<String> modes = args.length > 6 ? List.of(args[6].split(",")) : List.of("poll", "event");
    BenchStats.header("egress detection");
    String ns = "labscan-b-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    run(List.of("ip", "netns", "add", ns));
    Process peer = null;
    Process server = null;
    String before = Files.readString(LOG_ALL_NETNS).strip();
    String table = "labscan_b" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    List<String> prefix = List.of("ip", "netns", "exec", ns);
    try {
      run(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
      Files.writeString(LOG_ALL_NETNS, "1"); // the kernel logs outside the initial namespace only with this
      Path script = Files.createTempFile("smtp_sessions", ".py");
      try (InputStream in = EgressDetectionBench.class.getResourceAsStream("smtp_sessions.py")) {
        Files.write(script, in.readAllBytes());
      }
      if (splitPeers) {
        server = new ProcessBuilder(peerCommand(prefix, script, "server"))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String ready = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII))
            .readLine();
        if (ready == null || !ready.startsWith("ready ")) {
          throw new IOException("SMTP server did not start: " + ready);
        }
      }
      peer = new ProcessBuilder(peerCommand(prefix, script, splitPeers ? "client" : "both"))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.US_ASCII));
      Writer cmd = new java.io.OutputStreamWriter(peer.getOutputStream(), StandardCharsets.US_ASCII);
      long pid = Long.parseLong(out.readLine().split(" ")[1]);
      System.out.println("# peers: " + (splitPeers ? "server and mailer in two processes" : "server and mailer in one process")
          + " | warm-up: " + (jitWarmUp ? "jit (10 ms samples through 4 bursts per watcher kind)" : "one 300 ms round"));

      EgressPolicy policy = new EgressPolicy(Set.of(25), List.of(), false, true, Duration.ofMillis(periodMs),
          Duration.ofSeconds(60), true);
      System.out.printf(Locale.ROOT, "%-7s %-6s %-7s %-9s %8s %8s %8s %8s %12s %12s %8s %6s %7s %6s %6s %7s %9s%n", "table",
          "mode", "close", "duration", "sessions", "polled", "evented", "either", "sampler_cpu%", "kmsg_cpu%",
          "samples", "extra", "fdscans", "walks", "reads", "skipped", "us/sample");
      boolean warmedUp = false;
      for (String tableKind : tables) {
        for (boolean eventMode : new boolean[] {false, true}) {
          if (!modes.contains(eventMode ? "event" : "poll")) {
            continue;
          }
          if (jitWarmUp) {
            // A throwaway watcher of the same kind, sampling every 10 ms through 4 bursts.
            ProcNetTcpSource warm = source(tableKind, pid);
            try (EgressWatcher watcher = EgressWatcher.start(
                policy.withEventMode(eventMode).withSamplePeriod(EgressPolicy.MIN_PERIOD),
                new RecordingSource(warm, new Recorder()), events(eventMode, prefix, table, new Recorder()),
                Clock.systemUTC())) {
              long warmCpu0 = 0;
              long warmSamples0 = 0;
              List<String> rounds = List.of("300 200 server 3000", "300 200 client 3000", "300 200 server 3000",
                  "300 200 client 3000");
              for (int i = 0; i < rounds.size(); i++) {
                if (i == 2) { // the last two rounds run compiled code, samples back to back (caches warm)
                  warmCpu0 = threadCpu("labscan-egress");
                  warmSamples0 = watcher.samples();
                }
                cmd.write(rounds.get(i) + "\n");
                cmd.flush();
                out.readLine();
              }
              long warmSamples = watcher.samples() - warmSamples0;
              System.out.printf(Locale.ROOT, "# warm-up: %d samples at 10 ms; last two bursts: %d samples, %.0f us CPU each%n",
                  watcher.samples(), warmSamples, (threadCpu("labscan-egress") - warmCpu0) / 1e3 / Math.max(1, warmSamples));
            }
            TimeUnit.SECONDS.sleep(1);
          }
          Recorder recorder = new Recorder();
          ProcNetTcpSource product = source(tableKind, pid);
          System.out.println("# sampler table: " + product.name() + " | initial namespace " + tcpSockets());
          RecordingSource source = new RecordingSource(product, recorder);
          Optional<EgressEventSource> events = events(eventMode, prefix, table, recorder);
          try (EgressWatcher watcher = EgressWatcher.start(policy.withEventMode(eventMode), source, events,
              Clock.systemUTC())) {
            if (eventMode && !watcher.eventSourceRunning()) {
              throw new IOException("event source did not start (see the log)");
            }
            if (!warmedUp && !jitWarmUp) {
              // One unreported round first, so the JIT has compiled the sampler's code before
              // anything is measured (the agent samples for days; its steady state is what counts).
              cmd.write("300 200 server 3000\n");
              cmd.flush();
              out.readLine();
              warmedUp = true;
            }
            // The floor: the same watcher with no SMTP traffic, over as long as a 300 ms round.
            long idleCpu0 = threadCpu("labscan-egress");
            long idleWall0 = System.nanoTime();
            long idleSamples0 = watcher.samples();
            long idleSkipped0 = counter(product, "readsSkipped");
            TimeUnit.MILLISECONDS.sleep(3_900);
            System.out.printf(Locale.ROOT, "%-7s %-6s %-7s %9s %8d %8s %8s %8s %12.3f %12s %8d %6s %7s %6s %6s %7d%n",
                tableKind, eventMode ? "event" : "poll", "-", "idle", 0, "-", "-", "-",
                100.0 * (threadCpu("labscan-egress") - idleCpu0) / (System.nanoTime() - idleWall0), "-",
                watcher.samples() - idleSamples0, "-", "-", "-", "-", counter(product, "readsSkipped") - idleSkipped0);
            for (String order : List.of("server", "client")) {
              for (int duration : durations) {
                int count = duration >= 5_000 ? Math.max(10, sessions / 2) : sessions;
                recorder.clear();
                long samples0 = watcher.samples();
                long extra0 = watcher.eventTriggeredSamples();
                long scans0 = product.fdScans();
                long walks0 = product.fullWalks();
                long reads0 = tableReads(product);
                long skipped0 = counter(product, "readsSkipped");
                long cpu0 = threadCpu("labscan-egress");
                long kmsg0 = threadCpu("labscan-egress-kmsg");
                long wall0 = System.nanoTime();
                cmd.write(duration + " " + count + " " + order + " 3000\n");
                cmd.flush();
                String line = out.readLine();
                if (line == null || !line.startsWith("ports ")) {
                  throw new IOException("session driver failed: " + line);
                }
                // Late events: the kmsg reader polls every 200 ms; TIME_WAIT rows stay for a minute anyway.
                TimeUnit.MILLISECONDS.sleep(Math.max(600, 2 * periodMs));
                double wall = System.nanoTime() - wall0;
                long cpu = threadCpu("labscan-egress") - cpu0;
                long kmsg = threadCpu("labscan-egress-kmsg") - kmsg0;
                long samples = watcher.samples() - samples0;
                long reads = tableReads(product) - reads0;
                long skipped = counter(product, "readsSkipped") - skipped0;
                // CPU is measured over the same span as before; the count waits one more second,
                // since the sampler now lists TIME_WAIT rows once a second (a client-first
                // session shorter than the period is seen only as its TIME_WAIT).
                TimeUnit.SECONDS.sleep(1);
                List<Integer> ports = java.util.Arrays.stream(line.substring(6).split(","))
                    .map(Integer::parseInt).toList();
                long polled = ports.stream().filter(recorder::polled).count();
                long evented = ports.stream().filter(recorder::evented).count();
                long either = ports.stream().filter(p -> recorder.polled(p) || recorder.evented(p)).count();
                System.out.printf(Locale.ROOT, "%-7s %-6s %-7s %7dms %8d %7.1f%% %7s %7.1f%% %12.3f %12s %8d %6d %7d %6d %6d %7d %9.0f%n",
                    tableKind, eventMode ? "event" : "poll", order, duration, ports.size(), 100.0 * polled / ports.size(),
                    eventMode ? String.format(Locale.ROOT, "%.1f%%", 100.0 * evented / ports.size()) : "-",
                    100.0 * either / ports.size(), 100.0 * cpu / wall,
                    eventMode ? String.format(Locale.ROOT, "%.3f", 100.0 * kmsg / wall) : "-",
                    samples, watcher.eventTriggeredSamples() - extra0, product.fdScans() - scans0,
                    product.fullWalks() - walks0, reads, skipped, cpu / 1e3 / Math.max(1, samples));
                // Let this round's TIME_WAIT sockets age out of the way of the next round's ports.
              }
            }
          }
        }
      }
      System.out.println("# " + BenchStats.load());
      cmd.write("quit\n");
      cmd.flush();
    } finally {
      for (Process p : java.util.Arrays.asList(peer, server)) {
        if (p != null) {
          p.destroy();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
      Files.writeString(LOG_ALL_NETNS, before);
      new NftablesRules(prefix, table, "lsb-bench ", Set.of(25)).remove();
      run(List.of("ip", "netns", "del", ns));
    }
  }

  private static ProcNetTcpSource source(String tableKind, long pid) {
    return tableKind.equals("text") ? ProcNetTcpSource.inNetworkNamespaceOfFromProcText(pid)
        : ProcNetTcpSource.inNetworkNamespaceOf(pid);
  }

  private static Optional<EgressEventSource> events(boolean eventMode, List<String> prefix, String table,
      Recorder recorder) {
    return eventMode
        ? Optional.of(new RecordingEvents(NftablesEventSource.viaCommandPrefix(prefix, table, "lsb-bench ",
            Set.of(25)), recorder))
        : Optional.empty();
  }

  private static List<String> peerCommand(List<String> prefix, Path script, String role) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of(python(), script.toString(), role));
    return command;
  }

  /**
   * TCP sockets of the benchmark's own (initial) namespace, from {@code /proc/net/sockstat}:
   * the kernel's established hash table is shared by all namespaces, so every sample's walk
   * passes these too.
   */
  private static String tcpSockets() throws IOException {
    return Files.readAllLines(Path.of("/proc/net/sockstat")).stream().filter(l -> l.startsWith("TCP:"))
        .findFirst().orElse("TCP: ?");
  }

  /** CPU time (ns) of the live thread with this exact name, 0 when there is none. */
  private static long threadCpu(String name) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().equals(name)) {
        return Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return 0;
  }

  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  /**
   * Client ports (remote port 25) seen by the sampler and by the event source. One flag per
   * port, set without allocating: the recording runs on the sampler's thread, for every row of
   * every sample, and is counted in its CPU.
   */
  private static final class Recorder {
    private final AtomicIntegerArray polled = new AtomicIntegerArray(65_536);
    private final AtomicIntegerArray evented = new AtomicIntegerArray(65_536);

    void poll(int port) {
      polled.lazySet(port, 1);
    }

    void event(int port) {
      evented.lazySet(port, 1);
    }

    boolean polled(int port) {
      return polled.get(port) != 0;
    }

    boolean evented(int port) {
      return evented.get(port) != 0;
    }

    void clear() {
      for (int p = 0; p < 65_536; p++) {
        polled.set(p, 0);
        evented.set(p, 0);
      }
    }
  }

  /**
   * Socket table reads of the source so far; -1 when the source does not count them (the
   * same harness also runs against the code before {@code tableReads()} existed).
   */
  private static long tableReads(ProcNetTcpSource source) {
    return counter(source, "tableReads");
  }

  /** A counter of the source by its method name; -1 when the code measured has no such counter. */
  private static long counter(ProcNetTcpSource source, String method) {
    try {
      return (long) ProcNetTcpSource.class.getMethod(method).invoke(source);
    } catch (ReflectiveOperationException e) {
      return -1;
    }
  }

  private record RecordingSource(ConnectionSource inner, Recorder recorder) implements ConnectionSource {
    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public List<ConnectionObservation> sample(Set<Integer> remotePorts) throws IOException {
      List<ConnectionObservation> sample = inner.sample(remotePorts);
      for (ConnectionObservation o : sample) {
        recorder.poll(o.local().port());
      }
      return sample;
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private record RecordingEvents(EgressEventSource inner, Recorder recorder) implements EgressEventSource {
    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public void start(Consumer<EgressEvent> sink) throws IOException {
      inner.start(e -> {
        recorder.event(e.local().port());
        sink.accept(e);
      });
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
