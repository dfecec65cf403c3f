package io.labscan.controller.bench;

import io.labscan.controller.complaint.ComplaintTriage;
import io.labscan.controller.store.Storage;
import io.labscan.controller.triage.TriageResult;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.testsupport.PostgresServer;
import io.labscan.testsupport.PostgresStorage;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;

/**
 * Triage and verdicts on a fleet-sized store: 100,000 hosts, 30 days of DHCP address history
 * and 10 million SMTP egress windows, seeded into SQLite directly with batched inserts (not
 * through gRPC: ingesting that much through the service would take hours and measure
 * ingest, not triage). Then: complaint triage latency (one complaint at a time, as the web UI
 * and CLI do it) and full verdict recomputes of every host: run 1 and 2 as the store is, run 3 after
 * emptying the verdicts in the same JVM.
 *
 * <p>Arguments: {@code DB [hosts=100000] [windows=10000000] [complaints=300] [only=triage,verdicts]}.
 * On PostgreSQL, {@code only} may also name {@code before-v025}: after the triage phase, the same
 * triage again without the statistics migration V025 creates (dropped, then the table analysed),
 * for a before/after on one store at one load.
 * The database is seeded once (a marker row in settings) and reused.
 *
 * <p>{@code DB} = {@code postgresql}: the same fleet on PostgreSQL instead ({@link BenchPostgres}:
 * Debian's server in a temporary folder, durable commits, 512 MB of shared buffers), seeded
 * with {@code COPY} (the secondary indexes of {@code egress_windows} dropped during the copy
 * and re-created from their own definitions after it, then {@code VACUUM ANALYZE}, as
 * autovacuum would do shortly after such a load), and thrown away at the end.
 */
public final class TriageScaleBench {
  static final Instant END = Instant.parse("2026-06-30T12:00:00Z");
  static final long DAY = Duration.ofDays(1).toMillis();
  static final long START = END.toEpochMilli() - 30 * DAY;
  static final String MX = "10.20.0.25";
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

  private TriageScaleBench() {}

  public static void main(String[] args) throws Exception {
    int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    long windows = args.length > 2 ? Long.parseLong(args[2]) : 10_000_000L;
    int complaints = args.length > 3 ? Integer.parseInt(args[3]) : 300;
    String only = args.length > 4 ? args[4] : "triage,verdicts";
    if (args[0].equals("postgresql")) {
      try (PostgresServer server = BenchPostgres.start()) {
        PostgresServer.TestDatabase db = server.createDatabase();
        try (Storage store = Storage.open(PostgresStorage.url(db), PostgresStorage.credentials(db),
            Clock.systemUTC())) {
          store.hostIds(); // migrations ran
        }
        Seeder seeder = new Seeder(hosts, windows);
        try (Connection c = db.connect()) {
          seeder.seedIfNeeded(c, true);
        }
        try (Connection c = server.superuser(db.name()); Statement st = c.createStatement();
            var rs = st.executeQuery("SELECT pg_database_size(current_database()),"
                + " pg_total_relation_size('egress_windows'), pg_relation_size('egress_windows')")) {
          rs.next();
          System.out.printf(Locale.ROOT, "# PostgreSQL database %s: %d MiB (egress_windows %d MiB with indexes, %d MiB"
              + " table) | %s%n", db.name(), rs.getLong(1) >> 20, rs.getLong(2) >> 20, rs.getLong(3) >> 20, load());
        }
        try (Connection stats = server.superuser(db.name()); Statement st = stats.createStatement()) {
          st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
          st.execute("SELECT pg_stat_statements_reset()");
          measure(Storage.open(PostgresStorage.url(db), PostgresStorage.credentials(db), Clock.systemUTC()), seeder,
              complaints, only, phase -> topStatements(stats, db.user(), phase));
        }
      }
      System.exit(0); // the driver's and pools' threads
      return;
    }
    Path db = Path.of(args[0]);
    Files.createDirectories(db.toAbsolutePath().getParent());
    try (Storage store = Storage.open(db)) {
      store.hostIds(); // migrations ran
    }
    Seeder seeder = new Seeder(hosts, windows);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        st.execute("PRAGMA synchronous=OFF");
        st.execute("PRAGMA cache_size=-1000000");
      }
      seeder.seedIfNeeded(c, false);
    }
    System.out.printf(Locale.ROOT, "# store %s: %d MiB | %s%n", db, Files.size(db) >> 20, load());
    measure(Storage.open(db), seeder, complaints, only, phase -> {});
  }

  /**
   * PostgreSQL: the statements the controller's role ran in the phase just measured, by total
   * execution time (server side: planning excluded, network and driver excluded), then reset.
   */
  private static void topStatements(Connection stats, String role, String phase) {
    try (PreparedStatement ps = stats.prepareStatement("SELECT calls, total_exec_time, rows,"
        + " shared_blks_hit + shared_blks_read, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
        + " FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = ?"
        + " ORDER BY total_exec_time DESC LIMIT 6")) {
      ps.setString(1, role);
      System.out.printf(Locale.ROOT, "# statements of %s, by server time:%n", phase);
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          System.out.printf(Locale.ROOT, "#   %d calls, %.0f ms (%.3f ms each), %d rows, %d buffers: %s%n",
              rs.getLong(1), rs.getDouble(2), rs.getDouble(2) / Math.max(1, rs.getLong(1)), rs.getLong(3),
              rs.getLong(4), rs.getString(5));
        }
      }
      try (Statement st = stats.createStatement()) {
        st.execute("SELECT pg_stat_statements_reset()");
      }
    } catch (SQLException e) {
      System.out.printf(Locale.ROOT, "# statements of %s unreadable: %s%n", phase, e.getMessage());
    }
  }

  /** Triage latency and the three full recomputes, on {@code opened} (closed at the end). */
  private static void measure(Storage opened, Seeder seeder, int complaints, String only,
      java.util.function.Consumer<String> phaseDone) throws Exception {
    Clock clock = Clock.fixed(END, ZoneOffset.UTC);
    try (Storage store = opened;
        VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), clock)) {
      if (only.contains("triage")) {
        triage(store, verdicts, clock, seeder, complaints);
        phaseDone.accept("triage (warm-ups included)");
      }
      if (only.contains("before-v025") && store.database().dialect() == io.labscan.controller.store.Dialect.POSTGRESQL) {
        // The same triage on the schema before V025: without the statistics on a window's length
        // (PostgreSQL's planner guesses a third of all windows are long again), in the same run.
        store.write(connection -> {
          try (Statement st = connection.createStatement()) {
            st.execute("DROP STATISTICS IF EXISTS egress_window_length");
            st.execute("ANALYZE egress_windows");
          }
          return null;
        }).join();
        triage(store, verdicts, clock, seeder, complaints);
        phaseDone.accept("triage without V025's statistics (warm-ups included)");
      }
      if (only.contains("verdicts")) {
        for (int run = 1; run <= 3; run++) {
          if (run == 3) {
            // Run 1 writes every verdict in a JVM that has not compiled the sweep yet (the JIT
            // competes for the 2 cores); run 3 writes every verdict again with compiled code,
            // as a running controller does when every verdict changes.
            store.write(connection -> {
              try (Statement st = connection.createStatement()) {
                st.executeUpdate("DELETE FROM verdicts");
                st.executeUpdate("DELETE FROM verdict_history");
              }
              return null;
            }).join();
          }
          long cpu0 = processCpuNanos();
          long main0 = threadCpuNanos("main");
          long writer0 = threadCpuNanos("labscan-store-writer-");
          long t0 = System.nanoTime();
          int n = verdicts.recomputeAll();
          double wall = (System.nanoTime() - t0) / 1e9;
          double cpu = (processCpuNanos() - cpu0) / 1e9;
          double main = (threadCpuNanos("main") - main0) / 1e9;
          double writer = (threadCpuNanos("labscan-store-writer-") - writer0) / 1e9;
          System.out.printf(Locale.ROOT, "verdict recompute-all run %d: %d hosts in %.2f s (CPU: process %.2f s ="
              + " sweep thread %.2f + store writer %.2f + other %.2f) | %s%n", run, n, wall, cpu, main, writer,
              cpu - main - writer, load());
          phaseDone.accept("verdict run " + run);
        }
      }
    }
  }

  private static void triage(Storage store, VerdictService verdicts, Clock clock, Seeder seeder, int count)
      throws Exception {
    ComplaintTriage triage = new ComplaintTriage(store, verdicts, TrustConfig.of(List.of("mx.lab.example.edu")),
        clock);
    Random random = new Random(7);
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(seeder.complaint(random, i));
    }
    for (int i = 0; i < Math.min(30, count); i++) { // warm-up: JIT, page cache
      triage.triage(List.of(triage.parse(messages.get(i))), false);
    }
    double[] ms = new double[count];
    int withCandidates = 0;
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      TriageResult r = triage.triage(List.of(triage.parse(messages.get(i))), false);
      ms[i] = (System.nanoTime() - t0) / 1e6;
      withCandidates += r.candidates().isEmpty() ? 0 : 1;
    }
    double[] sorted = ms.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "triage of %d complaints (%d with candidates): p50 %.2f ms, p90 %.2f ms,"
        + " p99 %.2f ms, max %.2f ms | %s%n", count, withCandidates, pct(sorted, 50), pct(sorted, 90),
        pct(sorted, 99), sorted[sorted.length - 1], load());
  }

  private static double pct(double[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /**
   * CPU time of this JVM, all threads (the sweep's own thread, the store's writer, JIT, GC):
   * less inflated by other users of a shared machine than wall time.
   */
  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU time of the live threads whose name starts with {@code prefix}. */
  static long threadCpuNanos(String prefix) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (t != null && t.getThreadName().startsWith(prefix)) {
        sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
      }
    }
    return sum;
  }

  static String load() {
    try {
      return "loadavg " + Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return "loadavg unknown";
    }
  }

  /**
   * Writes the synthetic fleet. Addresses: 100,000 hosts in 10.32.0.0/15; each day 10% of
   * them are renumbered to a free address, so addresses change hands over the month (what
   * triage has to untangle). Egress: each host's windows (one minute each) spread over the
   * 30 days, a mail client allowed by policy; 0.5% of hosts also run a worm that sends
   * unallowed windows. Every host has a full scan and a fresh ClamAV status; infected hosts
   * have a Wink finding. Logged-in users: user&lt;n&gt; on host n.
   */
  static final class Seeder {
    private final int hosts;
    private final long windows;
    private final String[] hostIds;
    /** Rows go through JDBC batches (SQLite) or {@code COPY} (PostgreSQL). */
    private Sink sink;

    Seeder(int hosts, long windows) {
      this.hosts = hosts;
      this.windows = windows;
      this.hostIds = new String[hosts];
      Random ids = new Random(42);
      for (int i = 0; i < hosts; i++) {
        hostIds[i] = new UUID(ids.nextLong(), ids.nextLong()).toString();
      }
    }

    static String ip(int slot) {
      return "10." + (32 + (slot >> 16)) + "." + (slot >> 8 & 0xff) + "." + (slot & 0xff);
    }

    boolean infected(int host) {
      return host % 200 == 7;
    }

    void seedIfNeeded(Connection c, boolean postgresql) throws SQLException {
      try (Statement st = c.createStatement();
          var rs = st.executeQuery("SELECT COUNT(*) FROM settings WHERE name = 'bench-seed'")) {
        if (rs.next() && rs.getInt(1) > 0) {
          return;
        }
      }
      long t0 = System.nanoTime();
      c.setAutoCommit(false);
      sink = postgresql ? new CopySink(c) : new BatchSink(c);
      seedHosts(c);
      seedAddresses(c);
      List<String> dropped = postgresql ? dropSecondaryIndexes(c, "egress_windows") : List.of();
      seedEgress(c);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO settings(name, value) VALUES ('bench-seed', ?)")) {
        ps.setBytes(1, (hosts + " hosts, " + windows + " windows").getBytes(StandardCharsets.US_ASCII));
        ps.executeUpdate();
      }
      c.commit();
      c.setAutoCommit(true);
      System.out.printf(Locale.ROOT, "# seeded %d hosts, %d windows in %.0f s | %s%n", hosts, windows,
          (System.nanoTime() - t0) / 1e9, load());
      try (Statement st = c.createStatement()) {
        if (postgresql) {
          for (String index : dropped) {
            long i0 = System.nanoTime();
            st.execute(index);
            System.out.printf(Locale.ROOT, "# %s: %.0f s%n", index, (System.nanoTime() - i0) / 1e9);
          }
          long v0 = System.nanoTime();
          st.execute("VACUUM ANALYZE");
          System.out.printf(Locale.ROOT, "# VACUUM ANALYZE: %.0f s | %s%n", (System.nanoTime() - v0) / 1e9, load());
        } else {
          // No ANALYZE: the product never runs it, so its query plans must not depend on statistics.
          st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
      }
    }

    /**
     * Drops {@code table}'s indexes that no constraint owns and returns their definitions
     * ({@code pg_indexes.indexdef}), to be run again after a bulk load: building an index once
     * is far cheaper than maintaining it row by row.
     */
    private static List<String> dropSecondaryIndexes(Connection c, String table) throws SQLException {
      List<String> definitions = new ArrayList<>();
      List<String> names = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT i.indexname, i.indexdef FROM pg_indexes i"
          + " WHERE i.schemaname = current_schema() AND i.tablename = ? AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
          + " WHERE k.conname = i.indexname)")) {
        ps.setString(1, table);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            names.add(rs.getString(1));
            definitions.add(rs.getString(2));
          }
        }
      }
      try (Statement st = c.createStatement()) {
        for (String name : names) {
          st.execute("DROP INDEX \"" + name.replace("\"", "\"\"") + "\"");
        }
      }
      c.commit();
      return definitions;
    }

    private void seedHosts(Connection c) throws SQLException {
      Sink.Table h = sink.table("hosts", "host_id, hostname, os_family, os_version, agent_version, lab,"
          + " logged_in_users, enrolled_ms, first_seen_ms, last_seen_ms, last_inventory_ms, last_report_ms,"
          + " last_full_scan_ms, last_sequence");
      Sink.Table scan = sink.table("scans", "report_id, host_id, scan_id, kind, trigger_name, started_ms,"
          + " finished_ms, files_scanned, bytes_scanned");
      Sink.Table av = sink.table("av_status", "report_id, host_id, observed_ms, provider, product,"
          + " definitions_age_seconds, state, reason");
      Sink.Table finding = sink.table("findings", "report_id, host_id, observed_ms, rule_id, rule_kind, path, size,"
          + " sha256, detail");
      long scanned = END.toEpochMilli() - Duration.ofHours(8).toMillis();
      for (int i = 0; i < hosts; i++) {
        String id = hostIds[i];
        String report = "r-" + i + "-scan";
        h.add(id, String.format(Locale.ROOT, "lab-pc-%06d", i), "windows", "Microsoft Windows XP Professional SP1",
            "0.1.0", "lab-" + i % 100, "user" + i, START, START, END.toEpochMilli() - 60_000,
            END.toEpochMilli() - 60_000, END.toEpochMilli() - 60_000, scanned, 1_000L);
        scan.add(report, id, "s-" + i, "SCAN_KIND_FULL", "schedule", scanned - 600_000, scanned, 180_000L,
            2_000_000_000L);
        av.add(report, id, scanned, "clamav", "ClamAV", 36_000L, "AV_STATE_FRESH", "daily.cld built 10 hours ago");
        if (infected(i)) {
          finding.add(report, id, scanned, "klez.system.wink-exe", "RULE_KIND_FILE_NAME",
              "WINDOWS/SYSTEM32/WINKABCD.EXE", 57_344L, "0".repeat(64), "Klez worm copy in the Windows system folder");
        }
        if (i % 10_000 == 9_999) {
          h.flush();
          scan.flush();
          av.flush();
          finding.flush();
        }
      }
      h.close();
      scan.close();
      av.close();
      finding.close();
      c.commit();
    }

    /** Day-by-day renumbering: intervals (host, ip, first, last, ended, current). */
    private void seedAddresses(Connection c) throws SQLException {
      int pool = 1 << 17;
      int[] slotOf = new int[hosts];
      long[] since = new long[hosts];
      boolean[] used = new boolean[pool];
      for (int i = 0; i < hosts; i++) {
        slotOf[i] = i;
        used[i] = true;
        since[i] = START;
      }
      Random random = new Random(3);
      long rows = 0;
      Sink.Table ps = sink.table("host_addresses", "host_id, ip, mac, interface_name, first_seen_ms, last_seen_ms,"
          + " is_current, ended_ms");
      for (int day = 1; day < 30; day++) {
        long at = START + day * DAY + random.nextInt((int) (DAY / 2));
        for (int k = 0; k < hosts / 10; k++) {
          int host = random.nextInt(hosts);
          int free;
          do {
            free = random.nextInt(pool);
          } while (used[free]);
          addInterval(ps, host, slotOf[host], since[host], at - 60_000, false, at);
          used[slotOf[host]] = false;
          used[free] = true;
          slotOf[host] = free;
          since[host] = at;
          rows++;
        }
        ps.flush();
      }
      for (int i = 0; i < hosts; i++) {
        addInterval(ps, i, slotOf[i], since[i], END.toEpochMilli() - 60_000, true, null);
        rows++;
        if (i % 10_000 == 0) {
          ps.flush();
        }
      }
      ps.close();
      c.commit();
      System.out.printf(Locale.ROOT, "# %d address intervals%n", rows);
      this.finalSlot = slotOf;
    }

    /** Where each host ended up (for complaints about the last day). */
    private int[] finalSlot;

    private void addInterval(Sink.Table ps, int host, int slot, long first, long last, boolean current,
        Long ended) throws SQLException {
      ps.add(hostIds[host], ip(slot), String.format(Locale.ROOT, "00:0c:29:%02x:%02x:%02x", host >> 16 & 0xff,
          host >> 8 & 0xff, host & 0xff), "eth0", first, last, current ? 1 : 0, ended);
    }

    private void seedEgress(Connection c) throws SQLException {
      Random random = new Random(5);
      long perHost = windows / hosts;
      long written = 0;
      long t0 = System.nanoTime();
      Sink.Table ps = sink.table("egress_windows", "report_id, host_id, window_start_ms, window_end_ms,"
          + " first_seen_ms, last_seen_ms, pid, process_name, process_path, user_name, unattributed, connections,"
          + " distinct_destinations, destinations, allowed, source");
      for (int i = 0; i < hosts; i++) {
        long[] starts = new long[(int) perHost];
        for (int w = 0; w < perHost; w++) {
          starts[w] = START + (long) (random.nextDouble() * 30 * DAY) / 60_000 * 60_000;
        }
        Arrays.sort(starts);
        for (int w = 0; w < perHost; w++) {
          boolean worm = infected(i) && w % 2 == 0;
          ps.add("r-" + i + "-e" + w / 10, hostIds[i], starts[w], starts[w] + 60_000, starts[w] + 5_000,
              starts[w] + 9_000, worm ? 3_112 : 2_048, worm ? "winkabcd.exe" : "thunderbird.exe",
              worm ? "C:\\WINDOWS\\SYSTEM32\\WINKABCD.EXE" : "C:\\Program Files\\Mozilla Thunderbird\\thunderbird.exe",
              "user" + i, 0, worm ? 40 : 1, worm ? 12 : 1, worm ? MX + ":25*30 192.0.2.7:25*10" : MX + ":587*1",
              worm ? 0 : 1, "poll");
          written++;
        }
        if (i % 1_000 == 999) {
          ps.flush();
        }
        if (i % 10_000 == 9_999) {
          ps.flush();
          c.commit();
          System.out.printf(Locale.ROOT, "# %d egress windows, %.0f s%n", written, (System.nanoTime() - t0) / 1e9);
        }
      }
      ps.close();
      c.commit();
    }

    /**
     * A complaint as the lab's MX would have forwarded it: the worm's message, Received by the
     * trusted MX from a lab address at a time in the month. Two thirds come from an address
     * at a moment some host held it; one third from outside the lab's pool (a NAT or an
     * outside MTA's view), which triage answers from egress alone.
     */
    byte[] complaint(Random random, int n) {
      Instant when = Instant.ofEpochMilli(START + DAY + (long) (random.nextDouble() * 28 * DAY));
      int kind = n % 3;
      String clientIp = kind == 2 ? "192.0.2." + (1 + random.nextInt(250)) : ip(random.nextInt(hosts));
      String sender = "user" + random.nextInt(hosts * 2) + "@lab.example.edu"; // half are no one's
      String text = String.join("\r\n",
          "Return-Path: <" + sender + ">",
          "Received: from mx.lab.example.edu (mx.lab.example.edu [" + MX + "])",
          "\tby mail.lab.example.edu (Postfix) with ESMTP id 9A1B2C3D",
          "\tfor <janet@lab.example.edu>; " + RFC5322.format(when.plusSeconds(2)),
          "Received: from lab-pc (unknown [" + clientIp + "])",
          "\tby mx.lab.example.edu (Postfix) with SMTP id 4F1E2D",
          "\tfor <janet@lab.example.edu>; " + RFC5322.format(when),
          "From: <" + sender + ">",
          "To: janet@lab.example.edu",
          "Subject: let's be friends",
          "Date: " + RFC5322.format(when.minusSeconds(3)),
          "Message-ID: <bench-" + n + "@lab-pc>",
          "MIME-Version: 1.0",
          "Content-Type: text/plain",
          "",
          "Hi, this is a harmless stand-in for the worm's message.",
          "");
      return text.getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Where the seeder's rows go: one {@link Table} per table, flushed at points the seeder chooses. */
  interface Sink {
    Table table(String table, String columns) throws SQLException;

    interface Table extends AutoCloseable {
      /** One row: String, Long, Integer or null, in the column order given. */
      void add(Object... values) throws SQLException;

      /** A good moment to send what is buffered (a JDBC batch; COPY when enough is buffered). */
      void flush() throws SQLException;

      @Override
      void close() throws SQLException;
    }
  }

  /** Multi-row JDBC batches of one prepared INSERT per table (SQLite). */
  private record BatchSink(Connection c) implements Sink {
    @Override
    public Table table(String table, String columns) throws SQLException {
      int n = columns.split(",").length;
      PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + "(" + columns + ") VALUES ("
          + String.join(",", java.util.Collections.nCopies(n, "?")) + ")");
      return new Table() {
        @Override
        public void add(Object... values) throws SQLException {
          for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
              ps.setNull(i + 1, java.sql.Types.BIGINT);
            } else if (v instanceof String text) {
              ps.setString(i + 1, text);
            } else if (v instanceof Integer small) {
              ps.setInt(i + 1, small);
            } else {
              ps.setLong(i + 1, (Long) v);
            }
          }
          ps.addBatch();
        }

        @Override
        public void flush() throws SQLException {
          ps.executeBatch();
        }

        @Override
        public void close() throws SQLException {
          ps.executeBatch();
          ps.close();
        }
      };
    }
  }

  /** PostgreSQL {@code COPY ... FROM STDIN (FORMAT csv)}, sent in chunks of about 16 MB. */
  private record CopySink(Connection c) implements Sink {
    @Override
    public Table table(String table, String columns) throws SQLException {
      org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
      String sql = "COPY " + table + "(" + columns + ") FROM STDIN (FORMAT csv)";
      StringBuilder buffer = new StringBuilder(1 << 20);
      return new Table() {
        @Override
        public void add(Object... values) {
          for (int i = 0; i < values.length; i++) {
            if (i > 0) {
              buffer.append(',');
            }
            Object v = values[i];
            if (v instanceof String text) {
              buffer.append('"').append(text.replace("\"", "\"\"")).append('"');
            } else if (v != null) {
              buffer.append(v); // unquoted empty = NULL
            }
          }
          buffer.append('\n');
        }

        @Override
        public void flush() throws SQLException {
          if (buffer.length() > 16 << 20) {
            send();
          }
        }

        private void send() throws SQLException {
          if (buffer.length() == 0) {
            return;
          }
          try {
            copy.copyIn(sql, new java.io.StringReader(buffer.toString()));
          } catch (java.io.IOException e) {
            throw new SQLException(e);
          }
          buffer.setLength(0);
        }

        @Override
        public void close() throws SQLException {
          send();
        }
      };
    }
  }
}
