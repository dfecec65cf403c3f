package io.labscan.agent.bench;

import io.labscan.agent.checks.egress.ConnectionSource;
import io.labscan.agent.checks.egress.linux.NetlinkSocketTable;
import io.labscan.agent.checks.egress.linux.PasswdUserNames;
import io.labscan.agent.checks.egress.linux.ProcNetTcpSource;
import io.labscan.agent.checks.egress.portable.OshiConnectionSource;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import oshi.SystemInfo;

/**
 * CPU time of one egress sample with N open loopback sockets: {@link ProcNetTcpSource} (the
 * Linux agent's source) reading the socket table through netlink sock_diag (one dump for both
 * address families, as the agent does, and one dump per family, as it did before) and through
 * {@code /proc/net/tcp} text, against {@link OshiConnectionSource} ({@code getConnections()}),
 * in the same JVM and the same run, one after the other on the same sockets.
 *
 * <p>Two cases per N: the sockets go to a port the sampler does not watch (a busy machine
 * that sends no mail: the common case), and to a watched port (a mass-mailer holding N SMTP
 * sessions open: every row is reported with its process).
 *
 * <p>CPU time is the sampling thread's own ({@code ThreadMXBean}), so other processes on a
 * shared machine inflate it only through cache and scheduler effects. Needs file
 * descriptors for 2N sockets: {@code ulimit -n} above 2N + a few hundred.
 *
 * <p>Arguments: {@code [counts=100,1000,10000] [samples=100]}.
 */
public final class EgressSamplerBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private EgressSamplerBench() {}

  public static void main(String[] args) throws Exception {
    int[] counts = args.length > 0
        ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
        : new int[] {100, 1_000, 10_000};
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    BenchStats.header("egress sampler cost");
    // The agent's table (netlink sock_diag, one dump), read on every sample: system() would skip
    // reads while nothing is listed and no connection opens, which is not what is compared here
    // (EgressDetectionBench measures that).
    ConnectionSource ours = new ProcNetTcpSource(Path.of("/proc"), NetlinkSocketTable.probe().orElseThrow(),
        PasswdUserNames.system());
    ConnectionSource perFamily = new ProcNetTcpSource(Path.of("/proc"),
        NetlinkSocketTable.probeOneDumpPerFamily().orElseThrow(), PasswdUserNames.system());
    ConnectionSource text = ProcNetTcpSource.systemFromProcText();
    ConnectionSource oshi = new OshiConnectionSource(new SystemInfo().getOperatingSystem());
    System.out.printf(Locale.ROOT, "%-8s %-9s %-18s %12s %12s %12s %10s %8s%n", "sockets", "watched", "source",
        "cpu_med_us", "cpu_p90_us", "wall_med_us", "rows_seen", "tcp_rows");
    for (int n : counts) {
      try (Sockets sockets = Sockets.open(n)) {
        Set<Integer> notWatched = Set.of(25, 465, 587);
        Set<Integer> watched = Set.of(sockets.port());
        for (boolean watchedCase : new boolean[] {false, true}) {
          Set<Integer> ports = watchedCase ? watched : notWatched;
          // Warm up both (JIT; and our source's socket → process cache, as in steady operation).
          measure(ours, ports, 20);
          measure(perFamily, ports, 20);
          measure(text, ports, 20);
          measure(oshi, ports, 5);
          int oshiSamples = Math.max(10, n >= 10_000 ? samples / 5 : samples);
          Result a = measure(ours, ports, samples);
          Result f = measure(perFamily, ports, samples);
          Result t = measure(text, ports, samples);
          Result b = measure(oshi, ports, oshiSamples);
          long tableRows = tableRows();
          print(n, watchedCase, ours.name(), a, tableRows);
          print(n, watchedCase, perFamily.name(), f, tableRows);
          print(n, watchedCase, text.name(), t, tableRows);
          print(n, watchedCase, "oshi", b, tableRows);
          System.out.printf(Locale.ROOT,
              "ratio oshi/%s %.1fx, oshi/%s %.1fx, oshi/%s %.1fx (cpu medians) at %d sockets, %s | %s%n",
              ours.name(), b.cpuMicros.median() / a.cpuMicros.median(), perFamily.name(),
              b.cpuMicros.median() / f.cpuMicros.median(), text.name(),
              b.cpuMicros.median() / t.cpuMicros.median(), n, watchedCase ? "watched" : "not watched",
              BenchStats.load());
        }
      }
    }
  }

  private static void print(int n, boolean watched, String name, Result r, long tableRows) {
    System.out.printf(Locale.ROOT, "%-8d %-9s %-18s %12.1f %12.1f %12.1f %10d %8d%n", n, watched, name,
        r.cpuMicros.median(), r.cpuMicros.p90(), r.wallMicros.median(), r.rows, tableRows);
  }

  private record Result(BenchStats.Summary cpuMicros, BenchStats.Summary wallMicros, int rows) {}

  private static Result measure(ConnectionSource source, Set<Integer> ports, int samples) throws IOException {
    double[] cpu = new double[samples];
    double[] wall = new double[samples];
    int rows = 0;
    for (int i = 0; i < samples; i++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long w0 = System.nanoTime();
      rows = source.sample(ports).size();
      wall[i] = (System.nanoTime() - w0) / 1_000.0;
      cpu[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1_000.0;
    }
    return new Result(BenchStats.of(cpu), BenchStats.of(wall), rows);
  }

  /** Rows in the machine's TCP tables: what both sources parse, other processes' sockets included. */
  private static long tableRows() throws IOException {
    long rows = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (Files.isReadable(p)) {
        try (var lines = Files.lines(p)) {
          rows += lines.count() - 1;
        }
      }
    }
    return rows;
  }

  /**
   * A loopback listener in this JVM and N clients in a helper process (python3): 2N
   * established sockets, N fds on each side, so neither process needs more than the usual
   * 20,000-descriptor limit. The client side is what the sampler reports in the watched case.
   */
  private static final class Sockets implements AutoCloseable {
    private static final String CLIENTS = """
        import socket, sys
        port, n = int(sys.argv[1]), int(sys.argv[2])
        held = [socket.create_connection(('127.0.0.1', port)) for _ in range(n)]
        print('ready', flush=True)
        sys.stdin.readline()
        """;
    private final ServerSocketChannel listener;
    private final List<SocketChannel> accepted = new ArrayList<>();
    private Process clients;

    private Sockets(ServerSocketChannel listener) {
      this.listener = listener;
    }

    static Sockets open(int n) throws IOException, InterruptedException {
      ServerSocketChannel listener = ServerSocketChannel.open();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
      Sockets s = new Sockets(listener);
      try {
        s.clients = new ProcessBuilder(python(), "-c", CLIENTS, Integer.toString(s.port()), Integer.toString(n))
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        for (int i = 0; i < n; i++) {
          s.accepted.add(listener.accept());
        }
        String ready = new java.io.BufferedReader(new java.io.InputStreamReader(s.clients.getInputStream(),
            java.nio.charset.StandardCharsets.US_ASCII)).readLine();
        if (!"ready".equals(ready)) {
          throw new IOException("client helper failed: " + ready);
        }
      } catch (IOException | RuntimeException e) {
        s.close();
        throw new IOException("could not open " + n + " socket pairs: " + e.getMessage(), e);
      }
      return s;
    }

    static String python() {
      return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    int port() {
      return listener.socket().getLocalPort();
    }

    @Override
    public void close() throws IOException {
      if (clients != null) {
        try (var in = clients.getOutputStream()) {
          in.write('\n');
        } catch (IOException e) {
          // already gone
        }
        try {
          clients.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        clients.destroyForcibly();
      }
      for (SocketChannel c : accepted) {
        c.close();
      }
      listener.close();
    }
  }
}
