package io.labscan.controller.bench;

import io.labscan.controller.store.Storage;
import io.labscan.controller.store.Store;
import io.labscan.proto.v1.Report;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The store's single writer alone, without gRPC or TLS: stores nightly reports (the load
 * test's, {@link ControllerLoadTest#nightlyReport}) from H hosts round-robin, in rounds of
 * R reports submitted at once (so the writer batches as under load), and prints the writer
 * thread's CPU time per report ({@link ThreadMXBean}) and wall time per round, median and
 * spread over the rounds after a warm-up round. CPU time is what a loaded machine does not
 * distort.
 *
 * <p>Arguments: {@code DB_FOLDER [hosts=2000] [reportsPerRound=20000] [rounds=6]}.
 */
public final class IngestWriterBench {
  private IngestWriterBench() {}

  public static void main(String[] args) throws Exception {
    Path folder = Path.of(args[0]);
    int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 6;
    Files.createDirectories(folder);
    Path db = Files.createTempFile(folder, "ingest-", ".db");
    Files.delete(db);
    String[] ids = new String[hosts];
    long[] sequence = new long[hosts];
    for (int i = 0; i < hosts; i++) {
      ids[i] = UUID.randomUUID().toString();
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] cpuPerReport = new double[rounds];
    double[] wallPerRound = new double[rounds];
    int next = 0;
    try (Storage store = Storage.open(db)) {
      long writer = writerThreadId(store);
      for (int round = -1; round < rounds; round++) {
        List<Report> reports = new ArrayList<>(perRound);
        Instant at = Instant.now();
        for (int k = 0; k < perRound; k++) {
          reports.add(ControllerLoadTest.nightlyReport(next, ids[next], ++sequence[next], at));
          next = (next + 1) % hosts;
        }
        long cpu0 = threads.getThreadCpuTime(writer);
        long t0 = System.nanoTime();
        List<CompletableFuture<Store.IngestOutcome>> stored = new ArrayList<>(perRound);
        for (Report r : reports) {
          stored.add(store.ingest(r, at, "bench"));
        }
        stored.forEach(CompletableFuture::join);
        long wall = System.nanoTime() - t0;
        long cpu = threads.getThreadCpuTime(writer) - cpu0;
        if (round >= 0) {
          cpuPerReport[round] = cpu / 1e3 / perRound;
          wallPerRound[round] = wall / 1e6;
        }
        System.out.printf(Locale.ROOT, "round %d: writer CPU %.1f µs/report, wall %.0f ms (%.0f reports/s) | %s%n",
            round, cpu / 1e3 / perRound, wall / 1e6, perRound / (wall / 1e9), load());
      }
    }
    System.out.printf(Locale.ROOT, "%d hosts, %d reports per round, %d rounds: writer CPU per report median %.1f µs "
        + "(min %.1f, max %.1f); wall per round median %.0f ms; database %s%n", hosts, perRound, rounds,
        median(cpuPerReport), Arrays.stream(cpuPerReport).min().orElse(0), Arrays.stream(cpuPerReport).max().orElse(0),
        median(wallPerRound), db);
  }

  private static long writerThreadId(Storage store) throws Exception {
    store.write(db -> null).join();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("labscan-store-writer-")) {
        return t.getId();
      }
    }
    throw new IllegalStateException("no writer thread");
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String load() {
    try {
      return "loadavg " + Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "loadavg unknown";
    }
  }
}
