package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Timestamps;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.NetworkInterface;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import io.labscan.proto.v1.SmtpEgressWindow;
import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.HashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.verdict.Assessment;
import io.labscan.controller.verdict.EgressAllowance;
import io.labscan.controller.verdict.HostEvidence;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictRepository;
import io.labscan.controller.trust.TrustRepository;
import io.labscan.controller.triage.TriageOptions;
import java.security.MessageDigest;
import java.util.HashSet;
import io.labscan.contract.net.Addresses;
import java.util.Set;
import org.jspecify.annotations.Nullable;

import static io.labscan.controller.store.Jdbc.ALLOWLIST_SETTING;
import static io.labscan.controller.store.Jdbc.allowanceOf;
import static io.labscan.controller.store.Jdbc.optionalInstant;
import static io.labscan.controller.store.Jdbc.setLong;
import static io.labscan.controller.store.Jdbc.setMillis;


/**
 * Reports and the hosts they describe, on a {@link Database}: the ingest (a report's rows, its
 * host's row, address intervals, scans, AV statuses, findings, egress windows, harvest digests,
 * all in one write) and the host views' reads.
 *
 * <p>The ingest is the controller's hottest path: its statement texts are built once, here,
 * from the {@link Dialect}, and run from the writer connection's statement cache.
 */
public final class SqlReports implements Store, HostRepository {
  private final Database database;
  private final Dialect dialect;
  private final SettingsRepository settings;
  private final String touchSql;
  private final String touchClaimSql;
  private final String enrollSql;
  private final String insertHostUserSql;
  private final String sightingSql;
  private final String extendAddressSql;
  private final String harvestSql;
  private final String reportClockSql;
  private final String inventorySightingSql;
  private final String hostStatesSql;
  private final String currentAddressesSql;
  private final String[] insertReportsSql = insertReportsSql();
  /** The ingest's write statements in the order a round runs their batches ({@link Batches}). */
  private final List<String> ingestOrder;
  /** The ingest's unit of work: the reports of one write transaction stored together. */
  private final WriteQueue.Group<Incoming, IngestOutcome> ingestGroup;

  public SqlReports(Database database) {
    this.database = requireNonNull(database, "database");
    this.dialect = database.dialect();
    this.settings = new SqlSettings(database);
    this.touchSql = "UPDATE hosts SET last_seen_ms = " + dialect.greatest("last_seen_ms", "?") + " WHERE host_id = ?";
    this.touchClaimSql = "UPDATE hosts SET last_seen_ms = " + dialect.greatest("last_seen_ms", "?") + ", "
        + "clock_skew_ms = ?, clock_skew_seen_ms = ? WHERE host_id = ?";
    this.enrollSql = "INSERT INTO hosts(host_id, hostname, enrolled_ms, first_seen_ms, last_seen_ms) VALUES (?,?,?,?,?)"
        + dialect.onConflictUpdate("host_id", "enrolled_ms = excluded.enrolled_ms, "
            + "last_seen_ms = " + dialect.greatest("hosts.last_seen_ms", "excluded.last_seen_ms"));
    this.insertHostUserSql = dialect.insertIgnoring("host_users", List.of("user_name", "host_id"));
    String sightingSet = "first_seen_ms = " + dialect.least("first_seen_ms", "?") + ", "
        + "last_seen_ms = " + dialect.greatest("last_seen_ms", "?") + ", "
        + "last_report_ms = " + dialect.greatest("COALESCE(last_report_ms, 0)", "?") + ", "
        + "last_full_scan_ms = CASE WHEN ? IS NULL THEN last_full_scan_ms "
        + "ELSE " + dialect.greatest("COALESCE(last_full_scan_ms, 0)", "?") + " END, "
        + "last_sequence = " + dialect.greatest("last_sequence", "?");
    // A report's claimed time, and its skew when the claim lies after the receive time (a
    // report cannot be written after it arrived, so that is a fast clock; a claim in the past is
    // just delivery delay, e.g. a spool draining, and says nothing about the clock).
    String clockSet = "claimed_last_report_ms = " + dialect.greatest("COALESCE(claimed_last_report_ms, ?)", "?") + ", "
        + "clock_skew_ms = CASE WHEN ? > 0 THEN ? ELSE clock_skew_ms END, "
        + "clock_skew_seen_ms = CASE WHEN ? > 0 THEN ? ELSE clock_skew_seen_ms END";
    // A known host's row is one UPDATE per report: its sighting and clock claim, and its
    // inventory when the report is the newest.
    this.sightingSql = "UPDATE hosts SET " + sightingSet + ", " + clockSet + " WHERE host_id = ?";
    this.inventorySightingSql = "UPDATE hosts SET hostname=?, fqdn=?, os_family=?, os_version=?, agent_version=?, "
        + "architecture=?, lab=?, elevated=?, logged_in_users=?, boot_time_ms=?, last_inventory_ms=?, "
        + sightingSet + ", " + clockSet + " WHERE host_id = ?";
    this.hostStatesSql = "SELECT v.value, h.host_id, h.last_inventory_ms, h.logged_in_users, e.lab, "
        + "EXISTS (SELECT 1 FROM host_roles r WHERE r.host_id = v.value AND r.role = 'mail-server'), "
        + "h.hostname, EXISTS (SELECT 1 FROM host_names n WHERE n.host_id = v.value) "
        + "FROM " + dialect.jsonArrayValues("v") + " LEFT JOIN hosts h ON h.host_id = v.value "
        + "LEFT JOIN host_enrolments e ON e.host_id = v.value AND e.lab <> ''";
    this.currentAddressesSql = "SELECT a.host_id, a.ip FROM " + dialect.jsonArrayValues("v") + " "
        + dialect.joinInOrder() + " host_addresses a ON a.host_id = v.value AND a.is_current = 1";
    this.extendAddressSql = extendAddress(dialect);
    this.harvestSql = "INSERT INTO harvest_digests(host_id, key_id, digest, first_seen_ms, last_seen_ms) "
        + "VALUES (?,?,?,?,?)" + dialect.onConflictUpdate("host_id, key_id, digest",
            "first_seen_ms = " + dialect.least("harvest_digests.first_seen_ms", "excluded.first_seen_ms") + ", "
            + "last_seen_ms = " + dialect.greatest("harvest_digests.last_seen_ms", "excluded.last_seen_ms"));
    this.reportClockSql = "UPDATE hosts SET claimed_last_report_ms = "
        + dialect.greatest("COALESCE(claimed_last_report_ms, ?)", "?") + ", "
        + "clock_skew_ms = CASE WHEN ? > 0 THEN ? ELSE clock_skew_ms END, "
        + "clock_skew_seen_ms = CASE WHEN ? > 0 THEN ? ELSE clock_skew_seen_ms END WHERE host_id = ?";
    this.ingestOrder = List.of(INSERT_HOST, inventorySightingSql, sightingSql, reportClockSql, DELETE_HOST_USERS,
        insertHostUserSql, extendAddressSql, CLOSE_ADDRESS, OPEN_ADDRESS, INSERT_SCAN, INSERT_AV, INSERT_FINDINGS,
        INSERT_EGRESS, harvestSql, HostNames.CLOSE, HostNames.OPEN, HostNames.TRIM);
    this.ingestGroup = (db, items) -> ingestAll(database.statements(db), items);
  }

  @Override
  public int schemaVersion() {
    return database.schemaVersion();
  }

  @Override
  public byte[] secret(String name) {
    return settings.secret(name);
  }

  /** Closes nothing: the database belongs to whoever made it (the composition root). */
  @Override
  public void close() {}

  @Override
  public CompletableFuture<IngestOutcome> ingest(Report report, Instant receivedAt, String via) {
    requireNonNull(report, "report");
    requireNonNull(receivedAt, "receivedAt");
    requireNonNull(via, "via");
    // Serialized here, on the caller's thread: the single writer thread is the bottleneck of
    // the ingest and should spend its time in SQLite only.
    byte[] payload = report.toByteArray();
    return database.writeGrouped(ingestGroup, new Incoming(report, payload, receivedAt.toEpochMilli(), via));
  }

  /**
   * Stores a report read from a file by {@code import}, with its provenance, in one write: a
   * report stored through this path always has its provenance row. A report already stored
   * (a duplicate) keeps the provenance it had, if any.
   */
  @Override
  public CompletableFuture<IngestOutcome> ingestImported(Report report, ReportImport provenance) {
    requireNonNull(report, "report");
    requireNonNull(provenance, "provenance");
    byte[] payload = report.toByteArray();
    return database.write(db -> {
      IngestOutcome outcome = ingestAll(database.statements(db),
          List.of(new Incoming(report, payload, provenance.at().toEpochMilli(), "import"))).get(0);
      if (outcome == IngestOutcome.STORED) {
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO report_imports(report_id, host_id, file, "
            + "imported_by, imported_ms) VALUES (?,?,?,?,?) ON CONFLICT(report_id) DO NOTHING")) {
          ps.setString(1, provenance.reportId());
          ps.setString(2, provenance.hostId());
          ps.setString(3, provenance.file());
          ps.setString(4, provenance.importedBy());
          ps.setLong(5, provenance.at().toEpochMilli());
          ps.executeUpdate();
        }
      }
      return outcome;
    });
  }

  /** The host's imported reports' provenance, newest first, at most {@code limit}. */
  @Override
  public List<ReportImport> imports(String hostId, int limit) {
    requireNonNull(hostId, "hostId");
    return database.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT report_id, file, imported_by, imported_ms "
          + "FROM report_imports WHERE host_id = ? ORDER BY imported_ms DESC, report_id LIMIT ?")) {
        ps.setString(1, hostId);
        ps.setInt(2, limit);
        List<ReportImport> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new ReportImport(rs.getString(1), hostId, rs.getString(2), rs.getString(3),
                Instant.ofEpochMilli(rs.getLong(4))));
          }
        }
        return out;
      }
    });
  }


  @Override
  public CompletableFuture<Void> enroll(String hostId, String hostname, Instant at) {
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    long now = at.toEpochMilli();
    return database.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          enrollSql)) {
        ps.setString(1, hostId);
        ps.setString(2, hostname);
        ps.setLong(3, now);
        ps.setLong(4, now);
        ps.setLong(5, now);
        ps.executeUpdate();
      }
      // The name given at enrolment is the first of the host's name history (the controller's name).
      try (PreparedStatement ps = db.prepareStatement(HostNames.FIRST)) {
        HostNames.bindFirst(ps, hostId, hostname, now);
        ps.executeUpdate();
      }
    });
  }

  @Override
  public CompletableFuture<Boolean> touch(String hostId, Instant at) {
    requireNonNull(hostId, "hostId");
    long now = at.toEpochMilli();
    return database.write(db -> {
      PreparedStatement ps = database.statements(db).prepare(touchSql);
      ps.setLong(1, now);
      ps.setString(2, hostId);
      return ps.executeUpdate() > 0;
    });
  }

  /** One report waiting to be stored by {@link #ingestAll}. */
  record Incoming(Report report, byte[] payload, long receivedMs, String via) {}

  /** Most reports one multi-row {@code INSERT INTO reports} carries (a power of two). */
  static final int MAX_REPORT_ROWS = 64;
  /** Payload bytes one multi-row {@code INSERT INTO reports} carries at most (unless one report is larger). */
  static final long MAX_REPORT_ROW_BYTES = 8L << 20;

  /**
   * Stores the reports of one write transaction together ({@link Database#writeGrouped}). Each
   * statement kind runs once for all of them (one JDBC batch, which the PostgreSQL driver sends
   * in one round trip and, for INSERTs, as multi-row INSERTs), and what the ingest reads per
   * report is read once for all of them:
   *
   * <ol>
   *   <li>{@code INSERT INTO reports ... VALUES (...),(...) ON CONFLICT(report_id) DO NOTHING
   *       RETURNING report_id}, up to {@link #MAX_REPORT_ROWS} reports a statement, in report id
   *       order: the returned ids are the reports stored now; the others are duplicates. The
   *       unique key decides, in the database, so a report is stored once whichever controller
   *       gets it: a second controller inserting the same id waits for the first one's
   *       transaction and then skips it. The id order makes two controllers take the keys'
   *       locks in the same order (no deadlock between their batches). A report id that appears
   *       twice in the group is a duplicate from its second appearance on.</li>
   *   <li>The stored reports are then handled in rounds in which each host appears once (a
   *       host's second report of the group, e.g. a spool draining, goes to the next round, and
   *       sees the first one's writes): per round one read of the hosts' rows (with the
   *       enrolment's lab and the mail-server role), one of their current addresses, one of the
   *       allow-list, then each write kind as one batch ({@link #INGEST_ORDER}).</li>
   * </ol>
   *
   * The rows written are the same as report-by-report ({@code GroupedIngestTest} and
   * {@code GroupedIngestOnPostgresTest} compare them, and the two engines' rows).
   */
  List<IngestOutcome> ingestAll(Statements sql, List<Incoming> items) throws SQLException {
    int n = items.size();
    IngestOutcome[] out = new IngestOutcome[n];
    Map<String, Integer> firstById = new HashMap<>();
    List<Integer> candidates = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (firstById.putIfAbsent(items.get(i).report().getReportId(), i) != null) {
        out[i] = IngestOutcome.DUPLICATE;
      } else {
        candidates.add(i);
      }
    }
    Set<String> inserted = insertReports(sql, items, candidates);
    List<List<Integer>> rounds = new ArrayList<>();
    Map<String, Integer> perHost = new HashMap<>();
    for (int i : candidates) {
      Report report = items.get(i).report();
      if (!inserted.contains(report.getReportId())) {
        out[i] = IngestOutcome.DUPLICATE;
        continue;
      }
      out[i] = IngestOutcome.STORED;
      int round = perHost.merge(report.getInventory().getHostId(), 1, Integer::sum) - 1;
      if (round == rounds.size()) {
        rounds.add(new ArrayList<>());
      }
      rounds.get(round).add(i);
    }
    for (List<Integer> round : rounds) {
      List<Incoming> reports = new ArrayList<>(round.size());
      round.forEach(i -> reports.add(items.get(i)));
      // Host order: two controllers update the same hosts' rows in the same order.
      reports.sort(java.util.Comparator.comparing(r -> r.report().getInventory().getHostId()));
      storeRound(sql, reports);
    }
    return java.util.Arrays.asList(out);
  }

  private Set<String> insertReports(Statements sql, List<Incoming> items, List<Integer> candidates)
      throws SQLException {
    List<Incoming> sorted = new ArrayList<>(candidates.size());
    candidates.forEach(i -> sorted.add(items.get(i)));
    sorted.sort(java.util.Comparator.comparing(r -> r.report().getReportId()));
    Set<String> inserted = new HashSet<>();
    int from = 0;
    while (from < sorted.size()) {
      int rows = Integer.highestOneBit(Math.min(MAX_REPORT_ROWS, sorted.size() - from));
      while (rows > 1 && payloadBytes(sorted, from, rows) > MAX_REPORT_ROW_BYTES) {
        rows /= 2;
      }
      PreparedStatement ps = sql.prepare(insertReportsSql[Integer.numberOfTrailingZeros(rows)]);
      int p = 1;
      for (int k = from; k < from + rows; k++) {
        Incoming in = sorted.get(k);
        Report report = in.report();
        ps.setString(p++, report.getReportId());
        ps.setString(p++, report.getInventory().getHostId());
        ps.setLong(p++, report.getSequence());
        ps.setLong(p++, Timestamps.toMillis(report.getCreated()));
        ps.setLong(p++, in.receivedMs());
        ps.setString(p++, report.getScan().getKind().name());
        ps.setString(p++, in.via());
        ps.setBytes(p++, in.payload());
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1));
        }
      }
      from += rows;
    }
    return inserted;
  }

  private static long payloadBytes(List<Incoming> reports, int from, int rows) {
    long sum = 0;
    for (int k = from; k < from + rows; k++) {
      sum += reports.get(k).payload().length;
    }
    return sum;
  }

  /** {@code INSERT INTO reports} of 2^k rows, at index k, up to {@link #MAX_REPORT_ROWS}. */
  private static String[] insertReportsSql() {
    String[] out = new String[Integer.numberOfTrailingZeros(MAX_REPORT_ROWS) + 1];
    for (int k = 0; k < out.length; k++) {
      out[k] = "INSERT INTO reports(report_id, host_id, sequence, created_ms, received_ms, scan_kind, via, payload) "
          + "VALUES " + String.join(",", java.util.Collections.nCopies(1 << k, "(?,?,?,?,?,?,?,?)"))
          + " ON CONFLICT(report_id) DO NOTHING RETURNING report_id";
    }
    return out;
  }

  /** What the ingest reads about a host before writing its report. */
  private record HostState(boolean exists, long lastInventoryMs, String storedUsers, Optional<String> assignedLab,
      boolean mailServer, String storedHostname, boolean hasNames) {}

  private Map<String, HostState> hostStates(Statements sql, Collection<String> hostIds) throws SQLException {
    Map<String, HostState> out = new HashMap<>();
    PreparedStatement ps = sql.prepare(hostStatesSql);
    ps.setString(1, Jdbc.jsonArray(hostIds));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        boolean exists = rs.getString(2) != null;
        long v = rs.getLong(3);
        long lastInventory = rs.wasNull() ? Long.MIN_VALUE : v;
        String lab = rs.getString(5);
        out.put(rs.getString(1), new HostState(exists, lastInventory, Objects.requireNonNullElse(rs.getString(4), ""),
            lab == null || lab.isEmpty() ? Optional.empty() : Optional.of(lab), rs.getBoolean(6),
            Objects.requireNonNullElse(rs.getString(7), ""), rs.getBoolean(8)));
      }
    }
    return out;
  }

  private Map<String, Set<String>> currentAddresses(Statements sql, Collection<String> hostIds) throws SQLException {
    Map<String, Set<String>> out = new HashMap<>();
    if (hostIds.isEmpty()) {
      return out;
    }
    PreparedStatement ps = sql.prepare(currentAddressesSql);
    ps.setString(1, Jdbc.jsonArray(hostIds));
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.computeIfAbsent(rs.getString(1), h -> new HashSet<>()).add(rs.getString(2));
      }
    }
    return out;
  }

  /** One round of {@link #ingestAll}: stored reports of distinct hosts. */
  private void storeRound(Statements sql, List<Incoming> reports) throws SQLException {
    List<String> hostIds = reports.stream().map(r -> r.report().getInventory().getHostId()).toList();
    Map<String, HostState> states = hostStates(sql, hostIds);
    Batches batches = new Batches(sql, ingestOrder);
    Set<Incoming> newest = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Incoming in : reports) {
      Report report = in.report();
      String hostId = report.getInventory().getHostId();
      HostState state = requireNonNull(states.get(hostId), "host state");
      long claimedMs = Timestamps.toMillis(report.getCreated());
      // Time is the controller's (docs/SECURITY.md): the agent's creation time is stored as its
      // claim (reports.created_ms, hosts.claimed_last_report_ms), but every time that orders or
      // ages evidence (last seen, last full scan, the newest inventory, address intervals,
      // observations) is the claim capped at the receive time. A report dated into the future
      // can then neither keep a host looking fresh nor outrank the reports that follow it.
      long createdMs = Math.min(claimedMs, in.receivedMs());
      if (upsertHost(batches, report, state, createdMs, claimedMs, in.receivedMs())) {
        newest.add(in);
      }
    }
    Map<String, Set<String>> current = currentAddresses(sql,
        newest.stream().map(r -> r.report().getInventory().getHostId()).toList());
    EgressAllowance allowance = null;
    for (Incoming in : reports) {
      Report report = in.report();
      String hostId = report.getInventory().getHostId();
      long createdMs = Math.min(Timestamps.toMillis(report.getCreated()), in.receivedMs());
      if (newest.contains(in)) {
        recordAddresses(batches, hostId, report.getInventory(), createdMs, current.getOrDefault(hostId, Set.of()));
      }
      if (report.hasScan()) {
        insertScan(batches, report, hostId, in.receivedMs());
      }
      insertAv(batches, report, hostId, createdMs);
      insertFindings(batches, report, hostId, createdMs);
      if (report.getEgressCount() > 0) {
        if (allowance == null) {
          allowance = allowanceOf(sql.prepare(ALLOWLIST_SETTING));
        }
        insertEgress(batches, report, hostId, allowance, requireNonNull(states.get(hostId), "state").mailServer());
      }
      insertHarvest(batches, report, hostId, createdMs);
    }
    batches.executeAll();
  }

  /**
   * The write statements of one round, each prepared once and run as one batch, in a fixed
   * order (a host's row before its users and the rows that name it; address extends and closes
   * before opens).
   */
  private static final class Batches {
    private final Statements sql;
    private final List<String> order;
    private final Map<String, PreparedStatement> used = new HashMap<>();

    Batches(Statements sql, List<String> order) {
      this.sql = sql;
      this.order = order;
    }

    /** The statement for {@code text}, to bind and {@code addBatch()}; never executed by the caller. */
    PreparedStatement of(String text) throws SQLException {
      PreparedStatement ps = used.get(text);
      if (ps == null) {
        if (!order.contains(text)) {
          throw new IllegalStateException("not an ingest write: " + text);
        }
        ps = sql.prepare(text);
        used.put(text, ps);
      }
      return ps;
    }

    void executeAll() throws SQLException {
      for (String text : order) {
        PreparedStatement ps = used.get(text);
        if (ps != null) {
          ps.executeBatch();
        }
      }
      used.clear();
    }
  }

  /**
   * Keeps host_users (user → hosts, for triage) in step with hosts.logged_in_users: the
   * names as {@link #loggedInUsers} reads them, trimmed and lower-cased.
   */
  private void replaceHostUsers(Batches batches, String hostId, List<String> users) throws SQLException {
    {
      PreparedStatement ps = batches.of(DELETE_HOST_USERS);
      ps.setString(1, hostId);
      ps.addBatch();
    }
    {
      PreparedStatement ps = batches.of(insertHostUserSql);
      for (String user : String.join(",", users).split(",")) {
        String name = user.trim().toLowerCase(java.util.Locale.ROOT);
        if (!name.isEmpty()) {
          ps.setString(1, name);
          ps.setString(2, hostId);
          ps.addBatch();
        }
      }
    }
  }

  static final String DELETE_HOST_USERS = "DELETE FROM host_users WHERE host_id = ?";

  static final String INSERT_HOST = "INSERT INTO hosts(host_id, hostname, fqdn, os_family, os_version, agent_version, "
      + "architecture, lab, elevated, logged_in_users, boot_time_ms, first_seen_ms, last_seen_ms, last_inventory_ms, "
      + "last_report_ms, last_full_scan_ms, last_sequence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  /**
   * Creates or updates the host row (one statement for a known host: its inventory when this
   * report is the newest, its sighting and its clock claim); true when this report is the
   * newest inventory seen.
   */
  private boolean upsertHost(Batches batches, Report report, HostState state, long createdMs, long claimedMs,
      long receivedMs) throws SQLException {
    HostInventory inv = report.getInventory();
    // The lab an enrolment token assigned wins over the lab the endpoint says it is in.
    String lab = state.assignedLab().orElse(inv.getLab());
    String users = String.join(",", inv.getLoggedInUsersList());
    // An incomplete full scan (a check failed or timed out) is no full scan for compliance.
    boolean fullScanDone = report.hasScan() && report.getScan().getKind() == ScanKind.SCAN_KIND_FULL
        && report.getScan().hasFinished() && incompleteChecks(report.getScan()).isEmpty();
    // Never later than the report's (already capped) time: the scan finished before it was sent.
    Long fullScanMs = fullScanDone ? Math.min(Timestamps.toMillis(report.getScan().getFinished()), createdMs) : null;
    if (!state.exists()) {
      {
        PreparedStatement ps = batches.of(INSERT_HOST);
        int i = 1;
        ps.setString(i++, inv.getHostId());
        i = bindInventory(ps, i, inv, lab, users);
        ps.setLong(i++, createdMs);
        ps.setLong(i++, createdMs);
        ps.setLong(i++, createdMs);
        ps.setLong(i++, createdMs);
        setLong(ps, i++, fullScanMs);
        ps.setLong(i, report.getSequence());
        ps.addBatch();
      }
      recordReportClock(batches, inv.getHostId(), claimedMs, receivedMs);
      replaceHostUsers(batches, inv.getHostId(), inv.getLoggedInUsersList());
      recordName(batches, inv.getHostId(), inv.getHostname(), createdMs, false);
      return true;
    }
    // Reports can arrive out of order (a spool draining after an outage): only the newest
    // inventory updates the host's description; every report still counts as a sighting.
    boolean newest = createdMs >= state.lastInventoryMs();
    PreparedStatement ps = batches.of(newest ? inventorySightingSql : sightingSql);
    int i = 1;
    if (newest) {
      i = bindInventory(ps, i, inv, lab, users);
      ps.setLong(i++, createdMs);
    }
    ps.setLong(i++, createdMs);
    ps.setLong(i++, createdMs);
    ps.setLong(i++, createdMs);
    setLong(ps, i++, fullScanMs);
    setLong(ps, i++, fullScanMs);
    ps.setLong(i++, report.getSequence());
    i = bindClock(ps, i, claimedMs, receivedMs);
    ps.setString(i, inv.getHostId());
    ps.addBatch();
    // Most reports name the same users as the last one: host_users is then already right.
    if (newest && !users.equals(state.storedUsers())) {
      replaceHostUsers(batches, inv.getHostId(), inv.getLoggedInUsersList());
    }
    if (newest && (!state.hasNames() || !inv.getHostname().equals(state.storedHostname()))) {
      recordName(batches, inv.getHostId(), inv.getHostname(), createdMs, state.hasNames());
    }
    return newest;
  }

  /**
   * Keeps the host's name history ({@link HostNames}, V034): the newest inventory's name, when
   * it differs from the stored one, ends the current span and opens the next; the history is
   * then trimmed to its bound. Out-of-order reports (older than the newest inventory) change no
   * name, as they change no other part of the host's description.
   */
  private static void recordName(Batches batches, String hostId, String name, long at, boolean renamed)
      throws SQLException {
    if (renamed) {
      PreparedStatement close = batches.of(HostNames.CLOSE);
      close.setLong(1, at);
      close.setString(2, hostId);
      close.addBatch();
    }
    PreparedStatement open = batches.of(HostNames.OPEN);
    open.setString(1, hostId);
    open.setString(2, hostId);
    open.setString(3, name);
    open.setString(4, io.labscan.controller.text.HostnameKey.of(name));
    open.setLong(5, at);
    open.addBatch();
    if (renamed) {
      PreparedStatement trim = batches.of(HostNames.TRIM);
      trim.setString(1, hostId);
      trim.setString(2, hostId);
      trim.addBatch();
    }
  }

  /**
   * Binds the host's description from its inventory (hostname, fqdn, os family and version,
   * agent version, architecture, lab, elevated, logged-in users, boot time) from parameter
   * {@code i} on, in the column order {@link #INSERT_HOST} and the inventory sighting update
   * share; returns the next parameter index. One binding for both, so a new inventory column
   * cannot be stored on a host's first report and forgotten on its later ones (or the reverse).
   */
  private static int bindInventory(PreparedStatement ps, int i, HostInventory inv, String lab, String users)
      throws SQLException {
    ps.setString(i++, inv.getHostname());
    ps.setString(i++, inv.getFqdn());
    ps.setString(i++, inv.getOsFamily());
    ps.setString(i++, inv.getOsVersion());
    ps.setString(i++, inv.getAgentVersion());
    ps.setString(i++, inv.getArchitecture());
    ps.setString(i++, lab);
    ps.setInt(i++, inv.getElevated() ? 1 : 0);
    ps.setString(i++, users);
    setMillis(ps, i++, inv.hasBootTime() ? inv.getBootTime() : null);
    return i;
  }

  /**
   * Extends one current address interval. With {@code host_addresses_current} (V010) each runs
   * in O(log n): a report's n addresses cost O(n log n) on the writer, not O(n²).
   */
  static String extendAddress(Dialect dialect) {
    return "UPDATE host_addresses SET last_seen_ms = " + dialect.greatest("last_seen_ms", "?") + ", "
          + "lease_end_ms = CASE WHEN ? >= last_seen_ms THEN ? ELSE lease_end_ms END "
          + "WHERE host_id = ? AND ip = ? AND is_current = 1";
  }

  /** Closes one current address interval (served by {@code host_addresses_current}). */
  static final String CLOSE_ADDRESS =
      "UPDATE host_addresses SET is_current = 0, ended_ms = ? WHERE host_id = ? AND ip = ? AND is_current = 1";

  static final String OPEN_ADDRESS =
      "INSERT INTO host_addresses(host_id, ip, mac, interface_name, first_seen_ms, last_seen_ms, is_current, "
          + "lease_end_ms) VALUES (?,?,?,?,?,?,1,?)";

  /**
   * Keeps address history as validity intervals: an address present in consecutive
   * inventories extends its interval; one that disappears closes it; one that comes back
   * (or moves to another host) opens a new one. Triage asks who held an address when.
   * {@code current} is the host's current addresses as stored before this report.
   */
  private void recordAddresses(Batches batches, String hostId, HostInventory inv, long at, Set<String> current)
      throws SQLException {
    Map<String, String[]> seen = new LinkedHashMap<>();
    // The DHCP lease end the report gives each address (the newest report's word replaces the last).
    Map<String, Long> leaseEnds = new HashMap<>();
    for (NetworkInterface nif : inv.getInterfacesList()) {
      for (io.labscan.proto.v1.AddressLease lease : nif.getLeasesList()) {
        if (lease.hasLeaseEnd()) {
          leaseEnds.putIfAbsent(Addresses.canonical(lease.getIp()).orElse(lease.getIp()),
              Timestamps.toMillis(lease.getLeaseEnd()));
        }
      }
    }
    for (NetworkInterface nif : inv.getInterfacesList()) {
      List<String> ips = new ArrayList<>(nif.getIpv4List());
      ips.addAll(nif.getIpv6List());
      for (String reported : ips) {
        // The validator admits IP literals only; stored in canonical form, so that triage's
        // origin (canonical too) finds them whatever spelling the agent used.
        String ip = Addresses.canonical(reported).orElse(reported);
        if (!notAHoldingAddress(ip)) {
          seen.putIfAbsent(ip, new String[] {nif.getMac(), nif.getName()});
        }
      }
    }
    for (String ip : current) {
      if (seen.containsKey(ip)) {
        // Only the newest report's lease counts (SET reads the row as it was: a spooled older
        // report leaves the lease end alone).
        PreparedStatement extend = batches.of(extendAddressSql);
        extend.setLong(1, at);
        extend.setLong(2, at);
        setLong(extend, 3, leaseEnds.get(ip));
        extend.setString(4, hostId);
        extend.setString(5, ip);
        extend.addBatch();
      } else {
        PreparedStatement close = batches.of(CLOSE_ADDRESS);
        close.setLong(1, at);
        close.setString(2, hostId);
        close.setString(3, ip);
        close.addBatch();
      }
    }
    for (Map.Entry<String, String[]> e : seen.entrySet()) {
      if (!current.contains(e.getKey())) {
        PreparedStatement open = batches.of(OPEN_ADDRESS);
        open.setString(1, hostId);
        open.setString(2, e.getKey());
        open.setString(3, e.getValue()[0]);
        open.setString(4, e.getValue()[1]);
        open.setLong(5, at);
        open.setLong(6, at);
        setLong(open, 7, leaseEnds.get(e.getKey()));
        open.addBatch();
      }
    }
  }

  /**
   * Only a unicast address a machine can be reached at is a holding. Loopback, link-local,
   * unspecified ({@code 0.0.0.0}, {@code ::}: a Windows adapter still waiting for DHCP shows
   * 0.0.0.0), the "this network" block 0.0.0.0/8, multicast (224.0.0.0/4, ff00::/8) and the
   * limited broadcast 255.255.255.255 name no machine: two hosts reporting one of them are no
   * address conflict, and a lying agent cannot put conflict reasons on others with them (issue
   * 15, red-team round 3). Decided on the parsed bytes, not on the spelling.
   */
  static boolean notAHoldingAddress(String canonicalIp) {
    Optional<String> c = Addresses.canonical(canonicalIp);
    if (c.isEmpty()) {
      return true;
    }
    try {
      java.net.InetAddress a = java.net.InetAddress.getByName(c.get()); // an IP literal: no DNS lookup
      byte[] b = a.getAddress();
      boolean thisNetwork = b.length == 4 && b[0] == 0;
      boolean broadcast = b.length == 4 && (b[0] & b[1] & b[2] & b[3] & 0xff) == 0xff;
      return a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()
          || thisNetwork || broadcast;
    } catch (java.net.UnknownHostException e) {
      return true;
    }
  }

  static final String INSERT_SCAN =
      "INSERT INTO scans(report_id, host_id, scan_id, kind, trigger_name, root, started_ms, finished_ms, "
          + "files_scanned, bytes_scanned, failed_checks) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

  private void insertScan(Batches batches, Report report, String hostId, long receivedMs)
      throws SQLException {
    ScanSummary s = report.getScan();
    PreparedStatement ps = batches.of(INSERT_SCAN);
    ps.setString(1, report.getReportId());
    ps.setString(2, hostId);
    ps.setString(3, s.getScanId());
    ps.setString(4, s.getKind().name());
    ps.setString(5, s.getTrigger());
    ps.setString(6, s.getRoot());
    // Capped at the receive time: a future-dated clean scan must not become the "latest".
    setLong(ps, 7, s.hasStarted() ? Math.min(Timestamps.toMillis(s.getStarted()), receivedMs) : null);
    setLong(ps, 8, s.hasFinished() ? Math.min(Timestamps.toMillis(s.getFinished()), receivedMs) : null);
    ps.setLong(9, s.getFilesScanned());
    ps.setLong(10, s.getBytesScanned());
    ps.setString(11, String.join(",", incompleteChecks(s)));
    ps.addBatch();
  }


  /** The agent's prefix of a timed-out check in {@code scan.skipped} (agent {@code Scanner.TIMEOUT_PREFIX}). */
  static final String TIMEOUT_PREFIX = "timeout:";

  /**
   * The checks a scan did not complete: those reported FAILED and those counted as
   * {@code skipped["timeout:<check>"]}, without repeats. A scan with any is incomplete: its
   * findings count but it does not clear an earlier complete scan's findings (a local user
   * can force a timeout, and the agent's statuses are claims anyway).
   */
  static List<String> incompleteChecks(ScanSummary s) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    s.getChecksList().stream()
        .filter(c -> c.getOutcome() == io.labscan.proto.v1.CheckOutcome.CHECK_OUTCOME_FAILED)
        .forEach(c -> out.add(c.getCheck().isEmpty() ? "?" : c.getCheck().replace(',', ' ')));
    s.getSkippedMap().keySet().stream().filter(k -> k.startsWith(TIMEOUT_PREFIX)).sorted()
        .forEach(k -> out.add(k.length() == TIMEOUT_PREFIX.length() ? "?"
            : k.substring(TIMEOUT_PREFIX.length()).replace(',', ' ')));
    return List.copyOf(out);
  }


  static final String INSERT_AV = "INSERT INTO av_status(report_id, host_id, observed_ms, provider, product, engine_version, "
      + "definitions_version, definitions_ms, definitions_age_seconds, state, reason, source) "
      + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";

  private void insertAv(Batches batches, Report report, String hostId, long at) throws SQLException {
    if (report.getAvCount() == 0) {
      return;
    }
    {
      PreparedStatement ps = batches.of(INSERT_AV);
      for (AvStatus av : report.getAvList()) {
        int i = 1;
        ps.setString(i++, report.getReportId());
        ps.setString(i++, hostId);
        ps.setLong(i++, at);
        ps.setString(i++, av.getProvider());
        ps.setString(i++, av.getProduct());
        ps.setString(i++, av.getEngineVersion());
        ps.setString(i++, av.getDefinitionsVersion());
        setMillis(ps, i++, av.hasDefinitionsTime() ? av.getDefinitionsTime() : null);
        ps.setLong(i++, av.getDefinitionsAgeSeconds());
        ps.setString(i++, av.getState().name());
        ps.setString(i++, av.getReason());
        ps.setString(i, av.getSource());
        ps.addBatch();
      }
    }
  }

  static final String INSERT_FINDINGS = "INSERT INTO findings(report_id, host_id, observed_ms, rule_id, rule_kind, path, "
      + "registry_key, size, sha256, detail, mail_message_id, mail_part_name, mail_subject, mail_date_ms, "
      + "rule_set_version, severity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  private void insertFindings(Batches batches, Report report, String hostId, long at)
      throws SQLException {
    if (report.getFindingsCount() == 0) {
      return;
    }
    {
      PreparedStatement ps = batches.of(INSERT_FINDINGS);
      for (ArtifactFinding f : report.getFindingsList()) {
        int i = 1;
        ps.setString(i++, report.getReportId());
        ps.setString(i++, hostId);
        ps.setLong(i++, at);
        ps.setString(i++, f.getRuleId());
        ps.setString(i++, f.getRuleKind().name());
        ps.setString(i++, f.getPath());
        ps.setString(i++, f.getRegistryKey());
        ps.setLong(i++, f.getSize());
        ps.setString(i++, f.getSha256());
        ps.setString(i++, f.getDetail());
        ps.setString(i++, f.getMail().getMessageId());
        ps.setString(i++, f.getMail().getPartName());
        ps.setString(i++, f.getMail().getSubject());
        setMillis(ps, i++, f.getMail().hasDate() ? f.getMail().getDate() : null);
        ps.setString(i++, f.getRuleSetVersion());
        ps.setString(i, f.getSeverity() == io.labscan.proto.v1.FindingSeverity.FINDING_SEVERITY_UNSPECIFIED
            ? io.labscan.proto.v1.FindingSeverity.FINDING_SEVERITY_INFECTION.name() : f.getSeverity().name());
        ps.addBatch();
      }
    }
  }

  /**
   * Stores a report's egress windows. {@code allowed} is the controller's judgement under the
   * policy it holds now (EgressAllowance: the fleet's allow-list, the host's mail-server role),
   * never the agent's flag, which is kept in {@code agent_allowed} for people to read.
   */
  static final String INSERT_EGRESS = "INSERT INTO egress_windows(report_id, host_id, window_start_ms, "
      + "window_end_ms, first_seen_ms, last_seen_ms, pid, process_name, process_path, user_name, unattributed, "
      + "connections, distinct_destinations, destinations, allowed, source, agent_allowed) "
      + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

  private void insertEgress(Batches batches, Report report, String hostId, EgressAllowance allowance,
      boolean mailServer) throws SQLException {
    {
      PreparedStatement ps = batches.of(INSERT_EGRESS);
      for (SmtpEgressWindow w : report.getEgressList()) {
        int i = 1;
        ps.setString(i++, report.getReportId());
        ps.setString(i++, hostId);
        ps.setLong(i++, Timestamps.toMillis(w.getWindowStart()));
        ps.setLong(i++, Timestamps.toMillis(w.getWindowEnd()));
        setMillis(ps, i++, w.hasFirstSeen() ? w.getFirstSeen() : null);
        setMillis(ps, i++, w.hasLastSeen() ? w.getLastSeen() : null);
        ps.setInt(i++, w.getPid());
        ps.setString(i++, w.getProcessName());
        ps.setString(i++, w.getProcessPath());
        ps.setString(i++, w.getUser());
        ps.setInt(i++, w.getUnattributed() ? 1 : 0);
        ps.setInt(i++, w.getConnections());
        ps.setInt(i++, w.getDistinctDestinations());
        ps.setString(i++, w.getDestinationsList().stream()
            .map(SqlReports::destination).collect(Collectors.joining(" ")));
        ps.setInt(i++, allowance.allows(mailServer, w.getProcessName(), w.getProcessPath()) ? 1 : 0);
        ps.setString(i++, w.getSource());
        ps.setInt(i, w.getAllowed() ? 1 : 0);
        ps.addBatch();
      }
    }
  }

  private static String destination(EgressDestination d) {
    String host = d.getIp().indexOf(':') >= 0 ? "[" + d.getIp() + "]" : d.getIp();
    return host + ":" + d.getPort() + "*" + d.getConnections();
  }

  private void insertHarvest(Batches batches, Report report, String hostId, long at) throws SQLException {
    if (!report.hasHarvest() || report.getHarvest().getDigestsCount() == 0) {
      return;
    }
    HexFormat hex = HexFormat.of();
    {
      PreparedStatement ps = batches.of(harvestSql);
      // Each digest once: a multi-row upsert may not touch one row twice (PostgreSQL refuses it).
      Set<String> digests = new LinkedHashSet<>();
      for (ByteString digest : report.getHarvest().getDigestsList()) {
        digests.add(hex.formatHex(digest.toByteArray()));
      }
      for (String digest : digests) {
        ps.setString(1, hostId);
        ps.setString(2, report.getHarvest().getKeyId());
        ps.setString(3, digest);
        ps.setLong(4, at);
        ps.setLong(5, at);
        ps.addBatch();
      }
    }
  }

  @Override
  public List<HostSummary> hosts() {
    return queryHosts("", null);
  }

  @Override
  public Optional<HostSummary> host(String hostId) {
    List<HostSummary> one = queryHosts(" WHERE h.host_id = ?", hostId);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  private List<HostSummary> queryHosts(String where, @Nullable String arg) {
    String sql = "SELECT h.host_id, h.hostname, h.os_family, h.os_version, h.agent_version, h.lab, h.elevated, "
        + "h.first_seen_ms, h.last_seen_ms, h.last_report_ms, h.last_full_scan_ms, "
        + "EXISTS (SELECT 1 FROM host_roles r WHERE r.host_id = h.host_id AND r.role = '" + DEMO_ROLE + "'), "
        + "h.effective_lab, h.lab_source, h.lab_rule_id "
        + "FROM hosts h" + where
        + " ORDER BY h.hostname, h.host_id";
    return database.read("hosts", db -> {
      List<HostSummary> out = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(sql)) {
        if (arg != null) {
          ps.setString(1, arg);
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String hostId = rs.getString(1);
            out.add(new HostSummary(hostId, rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getInt(7) != 0, currentAddresses(db, hostId),
                Instant.ofEpochMilli(rs.getLong(8)), Instant.ofEpochMilli(rs.getLong(9)),
                optionalInstant(rs, 10), optionalInstant(rs, 11), rs.getBoolean(12),
                rs.getString(13) == null ? Optional.empty() : Optional.of(new HostSummary.EffectiveLab(rs.getString(13),
                    Objects.requireNonNullElse(rs.getString(14), ""), Objects.requireNonNullElse(rs.getString(15), "")))));
          }
        }
      }
      return out;
    });
  }

  private static List<String> currentAddresses(Connection db, String hostId) throws SQLException {
    List<String> ips = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT ip FROM host_addresses WHERE host_id = ? AND is_current = 1 ORDER BY ip")) {
      ps.setString(1, hostId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ips.add(rs.getString(1));
        }
      }
    }
    return ips;
  }

  @Override
  public long reportCount() {
    return database.read("report count", db -> {
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM reports")) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }


  /** Every address interval of a host, newest first. */
  @Override
  public List<AddressInterval> addressHistory(String hostId) {
    return database.read("address history", db -> {
    List<AddressInterval> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT host_id, ip, mac, interface_name, first_seen_ms, last_seen_ms, is_current FROM host_addresses "
            + "WHERE host_id = ? ORDER BY first_seen_ms DESC, ip")) {
      ps.setString(1, hostId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new AddressInterval(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)), rs.getInt(7) != 0));
        }
      }
    }
    return out;
    });
  }

  /** The newest {@code limit} reports of a host, newest first. */
  @Override
  public List<ReportEntry> reports(String hostId, int limit) {
    return database.read("reports", db -> {
    List<ReportEntry> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        // Egress windows have no index by report: count them in one pass over the host's windows
        // (egress_by_host), not one pass over the whole table per listed report.
        "SELECT r.report_id, r.sequence, r.created_ms, r.received_ms, r.scan_kind, r.via, "
            + "(SELECT COUNT(*) FROM findings f WHERE f.report_id = r.report_id), "
            + "COALESCE(e.windows, 0), "
            + "(SELECT COUNT(*) FROM av_status a WHERE a.report_id = r.report_id) "
            + "FROM reports r LEFT JOIN (SELECT report_id, COUNT(*) AS windows FROM egress_windows "
            + "WHERE host_id = ? GROUP BY report_id) e ON e.report_id = r.report_id "
            + "WHERE r.host_id = ? ORDER BY r.created_ms DESC LIMIT ?")) {
      ps.setString(1, hostId);
      ps.setString(2, hostId);
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new ReportEntry(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)),
              Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5), rs.getString(6), rs.getInt(7), rs.getInt(8),
              rs.getInt(9)));
        }
      }
    }
    return out;
    });
  }


  /**
   * Stores hosts' effective labs (computed by the fleet's lab rules), in one transaction. A host
   * that no longer exists is skipped.
   */
  @Override
  public CompletableFuture<Void> setEffectiveLabs(Map<String, HostSummary.EffectiveLab> labs) {
    Map<String, HostSummary.EffectiveLab> copy = new LinkedHashMap<>(labs);
    return database.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE hosts SET effective_lab = ?, lab_source = ?, lab_rule_id = ? WHERE host_id = ?")) {
        for (Map.Entry<String, HostSummary.EffectiveLab> e : copy.entrySet()) {
          ps.setString(1, e.getValue().lab());
          ps.setString(2, e.getValue().source());
          ps.setString(3, e.getValue().ruleId());
          ps.setString(4, e.getKey());
          ps.executeUpdate();
        }
      }
    });
  }


  /** The login names the host last reported as logged in, lower case. */
  @Override
  public List<String> loggedInUsers(String hostId) {
    return database.read("logged-in users", db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT logged_in_users FROM hosts WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || rs.getString(1).isEmpty()) {
            return List.of();
          }
          return java.util.Arrays.stream(rs.getString(1).split(","))
              .map(u -> u.trim().toLowerCase(java.util.Locale.ROOT)).filter(u -> !u.isEmpty()).toList();
        }
      }
    });
  }

  /** The hosts where {@code user} (compared lower-case) is logged in, from their newest inventory. */
  @Override
  public List<String> hostsWithLoggedInUser(String user) {
    String name = user.trim().toLowerCase(java.util.Locale.ROOT);
    return database.read("hosts of a user", db -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT host_id FROM host_users WHERE user_name = ? ORDER BY host_id")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
        }
      }
      return ids;
    });
  }

  /** Records that {@code email} belongs to a person who uses {@code hostId}. */
  @Override
  public CompletableFuture<Void> setAddressOwner(String email, String hostId, String source, Instant at) {
    return database.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO address_owners(email, host_id, source, updated_ms) VALUES (?,?,?,?) "
              + "ON CONFLICT(email, host_id) DO UPDATE SET source = excluded.source, updated_ms = excluded.updated_ms")) {
        ps.setString(1, email);
        ps.setString(2, hostId);
        ps.setString(3, source);
        ps.setLong(4, at.toEpochMilli());
        ps.executeUpdate();
      }
    });
  }


  /** Gives a host a role ("mail-server" lets it send mail) or takes it away. */
  @Override
  public CompletableFuture<Void> setRole(String hostId, String role, boolean present) {
    return database.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(present
          ? "INSERT INTO host_roles(host_id, role) VALUES (?,?) ON CONFLICT(host_id, role) DO NOTHING"
          : "DELETE FROM host_roles WHERE host_id = ? AND role = ?")) {
        ps.setString(1, hostId);
        ps.setString(2, role);
        ps.executeUpdate();
      }
    });
  }

  /** The ids of the hosts that have {@code role}. */
  @Override
  public Set<String> hostsWithRole(String role) {
    requireNonNull(role, "role");
    return database.read("host roles", db -> {
      Set<String> out = new HashSet<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT host_id FROM host_roles WHERE role = ?")) {
        ps.setString(1, role);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return Set.copyOf(out);
    });
  }

  /** Records that triage traced a complaint to a host (evidence for its verdict). */
  @Override
  public CompletableFuture<Void> recordComplaintTrace(String complaintId, String hostId, double confidence,
      Instant tracedAt, String originIp, Optional<Instant> originTime, String summary) {
    return database.update(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO complaint_traces(complaint_id, host_id, confidence, traced_ms, origin_ip, origin_time_ms, "
              + "summary) VALUES (?,?,?,?,?,?,?) ON CONFLICT(complaint_id, host_id) DO UPDATE SET "
              + "confidence = excluded.confidence, traced_ms = excluded.traced_ms, summary = excluded.summary")) {
        ps.setString(1, complaintId);
        ps.setString(2, hostId);
        ps.setDouble(3, confidence);
        ps.setLong(4, tracedAt.toEpochMilli());
        ps.setString(5, originIp);
        setLong(ps, 6, originTime.map(Instant::toEpochMilli).orElse(null));
        ps.setString(7, summary);
        ps.executeUpdate();
      }
    });
  }


  // ---- Time claims, quota and retention (issue #16) ----

  /**
   * Keeps a report's claimed creation time, and its skew when the claim lies after the receive
   * time (a report cannot be written after it arrived, so that is a fast clock; a claim in the
   * past is just delivery delay, e.g. a spool draining, and says nothing about the clock).
   */
  private void recordReportClock(Batches batches, String hostId, long claimedMs, long receivedMs)
      throws SQLException {
    PreparedStatement ps = batches.of(reportClockSql);
    int i = bindClock(ps, 1, claimedMs, receivedMs);
    ps.setString(i, hostId);
    ps.addBatch();
  }

  /** Binds {@link #CLOCK_SET}'s six parameters from {@code index}; returns the next index. */
  private static int bindClock(PreparedStatement ps, int index, long claimedMs, long receivedMs) throws SQLException {
    long skew = claimedMs - receivedMs;
    int i = index;
    ps.setLong(i++, claimedMs);
    ps.setLong(i++, claimedMs);
    ps.setLong(i++, skew);
    ps.setLong(i++, skew);
    ps.setLong(i++, skew);
    ps.setLong(i++, receivedMs);
    return i;
  }

  @Override
  public CompletableFuture<Boolean> touch(String hostId, Instant at, Instant claimed) {
    requireNonNull(hostId, "hostId");
    requireNonNull(claimed, "claimed");
    long now = at.toEpochMilli();
    long skew = claimed.toEpochMilli() - now;
    return database.write(db -> {
      PreparedStatement ps = database.statements(db).prepare(touchClaimSql);
      ps.setLong(1, now);
      ps.setLong(2, skew);
      ps.setLong(3, now);
      ps.setString(4, hostId);
      return ps.executeUpdate() > 0;
    });
  }

  /** The host's last clock claim; empty when it never made one (or is unknown). */
  @Override
  public Optional<ClockClaim> clockClaim(String hostId) {
    requireNonNull(hostId, "hostId");
    return database.read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT clock_skew_ms, clock_skew_seen_ms, claimed_last_report_ms FROM hosts WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<ClockClaim>empty();
          }
          long skew = rs.getLong(1);
          if (rs.wasNull()) {
            return Optional.<ClockClaim>empty();
          }
          Instant seen = Instant.ofEpochMilli(rs.getLong(2));
          long claimed = rs.getLong(3);
          Optional<Instant> last = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(claimed));
          return Optional.of(new ClockClaim(java.time.Duration.ofMillis(skew), seen, last));
        }
      }
    });
  }

  /**
   * Payload bytes of the host's reports received since {@code since}: the daily quota's count
   * after a restart, asked once per host and day. Walks the host's rows of the (host, created)
   * index, which retention keeps to a few weeks of reports.
   */
  @Override
  public long reportBytesSince(String hostId, Instant since) {
    requireNonNull(hostId, "hostId");
    return database.read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM reports "
          + "WHERE host_id = ? AND received_ms >= ?")) {
        ps.setString(1, hostId);
        ps.setLong(2, since.toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? rs.getLong(1) : 0L;
        }
      }
    });
  }

}
