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

/**
 * The embedded SQLite store: one file, WAL journal, one writer thread with batched
 * transactions ({@link WriteQueue}), readers on their own connection.
 *
 * <p>Commits are {@code synchronous=FULL}: the gRPC service acknowledges a report once its
 * batch committed, and the agent then deletes its copy, so a commit must survive a power cut,
 * not only a crash of the controller (with WAL, {@code NORMAL} may lose the last commits on
 * power loss). Batching keeps that to one fsync per batch.
 */
public final class SqliteStore implements Store, VerdictRepository, TrustRepository {
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Page cache of the writer connection, in KiB (a negative {@code cache_size}). SQLite's
   * default, 2 MiB, is far smaller than the B-tree pages a fleet's reports touch (hosts,
   * reports and their indexes are keyed by random UUIDs): the writer spent much of its time
   * in the kernel re-reading pages it had just evicted.
   */
  static final int WRITER_CACHE_KIB = -64 * 1024;
  private final Path file;
  private final Connection writer;
  private final Connection reader;
  /** The writer connection's statements; used on the writer thread only. */
  private final StatementCache writerStatements;
  /**
   * The verdict evidence queries, prepared once on the reader connection: a sweep runs them
   * for every host, and preparing (compiling) six statements per host was most of its time.
   * Used under this store's lock only; closed with the store.
   */
  private final StatementCache readerStatements;
  private final WriteQueue writes;
  private final int schemaVersion;
  private final Optional<String> writeRefusal;

  private SqliteStore(Path file, Connection writer, Connection reader, int schemaVersion,
      Optional<String> writeRefusal) {
    this.file = file;
    this.writer = writer;
    this.reader = reader;
    this.schemaVersion = schemaVersion;
    this.writeRefusal = writeRefusal;
    this.writerStatements = new StatementCache(writer);
    this.readerStatements = new StatementCache(reader);
    this.writes = new WriteQueue(writer, writerStatements, file.getFileName().toString());
  }

  /** Opens (creating and migrating as needed) the database file. */
  public static SqliteStore open(Path file) {
    requireNonNull(file, "file");
    Path absolute = file.toAbsolutePath();
    try {
      DatabaseFiles.prepare(absolute);
    } catch (java.io.IOException e) {
      throw new StoreException("Cannot create database " + absolute + " (owner-only) or its folder: " + e.getMessage(), e);
    }
    Connection writer = null;
    Connection reader = null;
    try {
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
      config.setBusyTimeout(10_000);
      config.enforceForeignKeys(true);
      config.setCacheSize(WRITER_CACHE_KIB);
      // Nothing here reads generated keys; with them on, sqlite-jdbc compiles and runs
      // "SELECT last_insert_rowid()" after every INSERT run through executeUpdate.
      config.setGetGeneratedKeys(false);
      writer = DriverManager.getConnection("jdbc:sqlite:" + absolute, config.toProperties());
      int version = Migrations.migrate(writer);
      DatabaseFiles.tighten(absolute);
      Optional<String> writeRefusal = writeRefusal(writer);
      SQLiteConfig readConfig = new SQLiteConfig();
      readConfig.setBusyTimeout(10_000);
      readConfig.setReadOnly(true);
      reader = DriverManager.getConnection("jdbc:sqlite:" + absolute, readConfig.toProperties());
      return new SqliteStore(absolute, writer, reader, version, writeRefusal);
    } catch (SQLException e) {
      closeQuietly(reader);
      closeQuietly(writer);
      throw new StoreException("Cannot open database " + absolute + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(reader);
      closeQuietly(writer);
      throw e;
    }
  }

  public Path file() {
    return file;
  }

  /**
   * Why SQLite refuses to write this database (a read-only file or file system), or empty
   * when it can be written. SQLite opens a file it cannot write read-only without a word,
   * and such a connection stays read-only after the file becomes writable again.
   */
  static Optional<String> writeRefusal(Connection db) throws SQLException {
    boolean autoCommit = db.getAutoCommit();
    db.setAutoCommit(false);
    try (Statement st = db.createStatement()) {
      // A write that is rolled back: rewriting the header's user_version with its own value.
      // (Taking the write lock alone proves nothing: in WAL mode a read-only connection gets it.)
      int userVersion;
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        userVersion = rs.next() ? rs.getInt(1) : 0;
      }
      st.execute("PRAGMA user_version = " + userVersion);
      return Optional.empty();
    } catch (SQLiteException e) {
      // The primary code sits in the low byte of the extended ones (SQLITE_READONLY_DIRECTORY, ...).
      // Anything else (another process holding the write lock past the busy timeout) says
      // nothing about whether the file can be written: the first real write will tell.
      return (e.getResultCode().code & 0xff) == SQLiteErrorCode.SQLITE_READONLY.code
          ? Optional.of(e.getMessage()) : Optional.empty();
    } finally {
      db.rollback();
      db.setAutoCommit(autoCommit);
    }
  }

  /**
   * Fails, naming the file, unless the database can be written. The controller calls this
   * before it opens its ports: one that cannot store would refuse every report until it was
   * restarted, and should rather say so and stop.
   */
  public void requireWritable() {
    writeRefusal.ifPresent(why -> {
      throw new StoreException("The database " + file + " is read-only (" + why + "): the controller "
          + "cannot store reports. Make the file and its folder writable, then start again.");
    });
  }

  @Override
  public int schemaVersion() {
    return schemaVersion;
  }

  @Override
  public CompletableFuture<IngestOutcome> ingest(Report report, Instant receivedAt, String via) {
    requireNonNull(report, "report");
    requireNonNull(receivedAt, "receivedAt");
    requireNonNull(via, "via");
    // Serialized here, on the caller's thread: the single writer thread is the bottleneck of
    // the ingest and should spend its time in SQLite only.
    byte[] payload = report.toByteArray();
    return writes.submit(db -> ingestNow(writerStatements, report, payload, receivedAt.toEpochMilli(), via));
  }

  /**
   * Stores a report read from a file by {@code import}, with its provenance, in one write: a
   * report stored through this path always has its provenance row. A report already stored
   * (a duplicate) keeps the provenance it had, if any.
   */
  public CompletableFuture<IngestOutcome> ingestImported(Report report, ReportImport provenance) {
    requireNonNull(report, "report");
    requireNonNull(provenance, "provenance");
    byte[] payload = report.toByteArray();
    return writes.submit(db -> {
      IngestOutcome outcome = ingestNow(writerStatements, report, payload, provenance.at().toEpochMilli(), "import");
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
  public List<ReportImport> imports(String hostId, int limit) {
    requireNonNull(hostId, "hostId");
    return read(db -> {
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

  /**
   * Whether the host id is enrolled: a certificate of the controller CA names it (valid or
   * ended) or it was revoked. A report file cannot speak for such a host without an admin's word.
   */
  public boolean enrolled(String hostId) {
    requireNonNull(hostId, "hostId");
    return read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT EXISTS (SELECT 1 FROM host_enrolments WHERE host_id = ?) "
          + "OR EXISTS (SELECT 1 FROM revoked_hosts WHERE host_id = ?)")) {
        ps.setString(1, hostId);
        ps.setString(2, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() && rs.getInt(1) != 0;
        }
      }
    });
  }

  @Override
  public CompletableFuture<Void> enroll(String hostId, String hostname, Instant at) {
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    long now = at.toEpochMilli();
    return writes.submit(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO hosts(host_id, hostname, enrolled_ms, first_seen_ms, last_seen_ms) VALUES (?,?,?,?,?) "
              + "ON CONFLICT(host_id) DO UPDATE SET enrolled_ms = excluded.enrolled_ms, "
              + "last_seen_ms = MAX(hosts.last_seen_ms, excluded.last_seen_ms)")) {
        ps.setString(1, hostId);
        ps.setString(2, hostname);
        ps.setLong(3, now);
        ps.setLong(4, now);
        ps.setLong(5, now);
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public CompletableFuture<Boolean> touch(String hostId, Instant at) {
    requireNonNull(hostId, "hostId");
    long now = at.toEpochMilli();
    return writes.submit(db -> {
      PreparedStatement ps = writerStatements.prepare(
          "UPDATE hosts SET last_seen_ms = MAX(last_seen_ms, ?) WHERE host_id = ?");
      ps.setLong(1, now);
      ps.setString(2, hostId);
      return ps.executeUpdate() > 0;
    });
  }

  private static IngestOutcome ingestNow(StatementCache sql, Report report, byte[] payload, long receivedMs,
      String via)
      throws SQLException {
    HostInventory inv = report.getInventory();
    String hostId = inv.getHostId();
    long claimedMs = Timestamps.toMillis(report.getCreated());
    // Time is the controller's (docs/SECURITY.md): the agent's creation time is stored as its
    // claim (reports.created_ms, hosts.claimed_last_report_ms), but every time that orders or
    // ages evidence (last seen, last full scan, the newest inventory, address intervals,
    // observations) is the claim capped at the receive time. A report dated into the future
    // can then neither keep a host looking fresh nor outrank the reports that follow it.
    long createdMs = Math.min(claimedMs, receivedMs);
    {
      PreparedStatement ps = sql.prepare(
        "INSERT INTO reports(report_id, host_id, sequence, created_ms, received_ms, scan_kind, via, payload) "
            + "VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(report_id) DO NOTHING");
      ps.setString(1, report.getReportId());
      ps.setString(2, hostId);
      ps.setLong(3, report.getSequence());
      ps.setLong(4, claimedMs);
      ps.setLong(5, receivedMs);
      ps.setString(6, report.getScan().getKind().name());
      ps.setString(7, via);
      ps.setBytes(8, payload);
      if (ps.executeUpdate() == 0) {
        return IngestOutcome.DUPLICATE;
      }
    }
    boolean newest = upsertHost(sql, report, createdMs);
    recordReportClock(sql, hostId, claimedMs, receivedMs);
    if (newest) {
      recordAddresses(sql, hostId, inv, createdMs);
    }
    if (report.hasScan()) {
      insertScan(sql, report, hostId, receivedMs);
    }
    insertAv(sql, report, hostId, createdMs);
    insertFindings(sql, report, hostId, createdMs);
    insertEgress(sql, report, hostId);
    insertHarvest(sql, report, hostId, createdMs);
    return IngestOutcome.STORED;
  }

  /** Creates or updates the host row; true when this report is the newest inventory seen. */
  /**
   * Keeps host_users (user → hosts, for triage) in step with hosts.logged_in_users: the
   * names as {@link #loggedInUsers} reads them, trimmed and lower-cased.
   */
  private static void replaceHostUsers(StatementCache sql, String hostId, List<String> users) throws SQLException {
    {
      PreparedStatement ps = sql.prepare("DELETE FROM host_users WHERE host_id = ?");
      ps.setString(1, hostId);
      ps.executeUpdate();
    }
    {
      PreparedStatement ps = sql.prepare(
        "INSERT OR IGNORE INTO host_users(user_name, host_id) VALUES (?, ?)");
      for (String user : String.join(",", users).split(",")) {
        String name = user.trim().toLowerCase(java.util.Locale.ROOT);
        if (!name.isEmpty()) {
          ps.setString(1, name);
          ps.setString(2, hostId);
          ps.addBatch();
        }
      }
      ps.executeBatch();
    }
  }

  private static boolean upsertHost(StatementCache sql, Report report, long createdMs) throws SQLException {
    HostInventory inv = report.getInventory();
    // The lab an enrolment token assigned wins over the lab the endpoint says it is in.
    String lab = assignedLab(sql, inv.getHostId()).orElse(inv.getLab());
    Long lastInventory = null;
    String storedUsers = "";
    {
      PreparedStatement ps = sql.prepare("SELECT last_inventory_ms, logged_in_users FROM hosts WHERE host_id = ?");
      ps.setString(1, inv.getHostId());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          long v = rs.getLong(1);
          lastInventory = rs.wasNull() ? Long.MIN_VALUE : v;
          storedUsers = Objects.requireNonNullElse(rs.getString(2), "");
        }
      }
    }
    String users = String.join(",", inv.getLoggedInUsersList());
    // An incomplete full scan (a check failed or timed out) is no full scan for compliance.
    boolean fullScanDone = report.hasScan() && report.getScan().getKind() == ScanKind.SCAN_KIND_FULL
        && report.getScan().hasFinished() && incompleteChecks(report.getScan()).isEmpty();
    // Never later than the report's (already capped) time: the scan finished before it was sent.
    Long fullScanMs = fullScanDone ? Math.min(Timestamps.toMillis(report.getScan().getFinished()), createdMs) : null;
    if (lastInventory == null) {
      {
        PreparedStatement ps = sql.prepare(
          "INSERT INTO hosts(host_id, hostname, fqdn, os_family, os_version, agent_version, architecture, lab, "
              + "elevated, logged_in_users, boot_time_ms, first_seen_ms, last_seen_ms, last_inventory_ms, "
              + "last_report_ms, last_full_scan_ms, last_sequence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        int i = 1;
        ps.setString(i++, inv.getHostId());
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
        ps.setLong(i++, createdMs);
        ps.setLong(i++, createdMs);
        ps.setLong(i++, createdMs);
        ps.setLong(i++, createdMs);
        setLong(ps, i++, fullScanMs);
        ps.setLong(i, report.getSequence());
        ps.executeUpdate();
      }
      replaceHostUsers(sql, inv.getHostId(), inv.getLoggedInUsersList());
      return true;
    }
    // Reports can arrive out of order (a spool draining after an outage): only the newest
    // inventory updates the host's description; every report still counts as a sighting.
    boolean newest = createdMs >= lastInventory;
    if (newest) {
      {
        PreparedStatement ps = sql.prepare(
          "UPDATE hosts SET hostname=?, fqdn=?, os_family=?, os_version=?, agent_version=?, architecture=?, "
              + "lab=?, elevated=?, logged_in_users=?, boot_time_ms=?, last_inventory_ms=? WHERE host_id=?");
        int i = 1;
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
        ps.setLong(i++, createdMs);
        ps.setString(i, inv.getHostId());
        ps.executeUpdate();
      }
      // Most reports name the same users as the last one: host_users is then already right.
      if (!users.equals(storedUsers)) {
        replaceHostUsers(sql, inv.getHostId(), inv.getLoggedInUsersList());
      }
    }
    {
      PreparedStatement ps = sql.prepare(
        "UPDATE hosts SET first_seen_ms = MIN(first_seen_ms, ?), last_seen_ms = MAX(last_seen_ms, ?), "
            + "last_report_ms = MAX(COALESCE(last_report_ms, 0), ?), "
            + "last_full_scan_ms = CASE WHEN ? IS NULL THEN last_full_scan_ms "
            + "ELSE MAX(COALESCE(last_full_scan_ms, 0), ?) END, "
            + "last_sequence = MAX(last_sequence, ?) WHERE host_id = ?");
      ps.setLong(1, createdMs);
      ps.setLong(2, createdMs);
      ps.setLong(3, createdMs);
      setLong(ps, 4, fullScanMs);
      setLong(ps, 5, fullScanMs);
      ps.setLong(6, report.getSequence());
      ps.setString(7, inv.getHostId());
      ps.executeUpdate();
    }
    return newest;
  }

  /**
   * Extends one current address interval. With {@code host_addresses_current} (V010) each runs
   * in O(log n): a report's n addresses cost O(n log n) on the writer, not O(n²).
   */
  static final String EXTEND_ADDRESS =
      "UPDATE host_addresses SET last_seen_ms = MAX(last_seen_ms, ?) WHERE host_id = ? AND ip = ? AND is_current = 1";
  /** Closes one current address interval (served by {@code host_addresses_current}). */
  static final String CLOSE_ADDRESS =
      "UPDATE host_addresses SET is_current = 0, ended_ms = ? WHERE host_id = ? AND ip = ? AND is_current = 1";

  /**
   * Keeps address history as validity intervals: an address present in consecutive
   * inventories extends its interval; one that disappears closes it; one that comes back
   * (or moves to another host) opens a new one. Triage asks who held an address when.
   */
  private static void recordAddresses(StatementCache sql, String hostId, HostInventory inv, long at)
      throws SQLException {
    Map<String, String[]> seen = new LinkedHashMap<>();
    for (NetworkInterface nif : inv.getInterfacesList()) {
      List<String> ips = new ArrayList<>(nif.getIpv4List());
      ips.addAll(nif.getIpv6List());
      for (String reported : ips) {
        // The validator admits IP literals only; stored in canonical form, so that triage's
        // origin (canonical too) finds them whatever spelling the agent used.
        String ip = Addresses.canonical(reported).orElse(reported);
        if (!isLoopbackOrLinkLocal(ip)) {
          seen.putIfAbsent(ip, new String[] {nif.getMac(), nif.getName()});
        }
      }
    }
    // A set: "is this address already current?" is asked once per reported address.
    Set<String> current = new HashSet<>();
    {
      PreparedStatement ps = sql.prepare("SELECT ip FROM host_addresses WHERE host_id = ? AND is_current = 1");
      ps.setString(1, hostId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          current.add(rs.getString(1));
        }
      }
    }
    {
      PreparedStatement extend = sql.prepare(EXTEND_ADDRESS);
      PreparedStatement close = sql.prepare(CLOSE_ADDRESS);
      PreparedStatement open = sql.prepare(
          "INSERT INTO host_addresses(host_id, ip, mac, interface_name, first_seen_ms, last_seen_ms, is_current) "
              + "VALUES (?,?,?,?,?,?,1)");
      for (String ip : current) {
        if (seen.containsKey(ip)) {
          extend.setLong(1, at);
          extend.setString(2, hostId);
          extend.setString(3, ip);
          extend.addBatch();
        } else {
          close.setLong(1, at);
          close.setString(2, hostId);
          close.setString(3, ip);
          close.addBatch();
        }
      }
      for (Map.Entry<String, String[]> e : seen.entrySet()) {
        if (!current.contains(e.getKey())) {
          open.setString(1, hostId);
          open.setString(2, e.getKey());
          open.setString(3, e.getValue()[0]);
          open.setString(4, e.getValue()[1]);
          open.setLong(5, at);
          open.setLong(6, at);
          open.addBatch();
        }
      }
      extend.executeBatch();
      close.executeBatch();
      open.executeBatch();
    }
  }

  private static boolean isLoopbackOrLinkLocal(String ip) {
    return ip.startsWith("127.") || ip.equals("::1") || ip.startsWith("fe80:") || ip.startsWith("169.254.");
  }

  private static void insertScan(StatementCache sql, Report report, String hostId, long receivedMs)
      throws SQLException {
    ScanSummary s = report.getScan();
    {
      PreparedStatement ps = sql.prepare(
        "INSERT INTO scans(report_id, host_id, scan_id, kind, trigger_name, root, started_ms, finished_ms, "
            + "files_scanned, bytes_scanned, failed_checks) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
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
      ps.executeUpdate();
    }
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

  private static void insertAv(StatementCache sql, Report report, String hostId, long at) throws SQLException {
    if (report.getAvCount() == 0) {
      return;
    }
    {
      PreparedStatement ps = sql.prepare(
        "INSERT INTO av_status(report_id, host_id, observed_ms, provider, product, engine_version, "
            + "definitions_version, definitions_ms, definitions_age_seconds, state, reason, source) "
            + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
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
      ps.executeBatch();
    }
  }

  private static void insertFindings(StatementCache sql, Report report, String hostId, long at)
      throws SQLException {
    if (report.getFindingsCount() == 0) {
      return;
    }
    {
      PreparedStatement ps = sql.prepare(
        "INSERT INTO findings(report_id, host_id, observed_ms, rule_id, rule_kind, path, registry_key, size, "
            + "sha256, detail, mail_message_id, mail_part_name, mail_subject, mail_date_ms, rule_set_version, "
            + "severity) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
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
      ps.executeBatch();
    }
  }

  private static void insertEgress(StatementCache sql, Report report, String hostId) throws SQLException {
    if (report.getEgressCount() == 0) {
      return;
    }
    {
      PreparedStatement ps = sql.prepare(
        "INSERT INTO egress_windows(report_id, host_id, window_start_ms, window_end_ms, first_seen_ms, "
            + "last_seen_ms, pid, process_name, process_path, user_name, unattributed, connections, "
            + "distinct_destinations, destinations, allowed, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
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
            .map(SqliteStore::destination).collect(Collectors.joining(" ")));
        ps.setInt(i++, w.getAllowed() ? 1 : 0);
        ps.setString(i, w.getSource());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static String destination(EgressDestination d) {
    String host = d.getIp().indexOf(':') >= 0 ? "[" + d.getIp() + "]" : d.getIp();
    return host + ":" + d.getPort() + "*" + d.getConnections();
  }

  private static void insertHarvest(StatementCache sql, Report report, String hostId, long at) throws SQLException {
    if (!report.hasHarvest() || report.getHarvest().getDigestsCount() == 0) {
      return;
    }
    HexFormat hex = HexFormat.of();
    {
      PreparedStatement ps = sql.prepare(
        "INSERT INTO harvest_digests(host_id, key_id, digest, first_seen_ms, last_seen_ms) VALUES (?,?,?,?,?) "
            + "ON CONFLICT(host_id, key_id, digest) DO UPDATE SET "
            + "first_seen_ms = MIN(harvest_digests.first_seen_ms, excluded.first_seen_ms), "
            + "last_seen_ms = MAX(harvest_digests.last_seen_ms, excluded.last_seen_ms)");
      for (ByteString digest : report.getHarvest().getDigestsList()) {
        ps.setString(1, hostId);
        ps.setString(2, report.getHarvest().getKeyId());
        ps.setString(3, hex.formatHex(digest.toByteArray()));
        ps.setLong(4, at);
        ps.setLong(5, at);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  @Override
  public synchronized List<HostSummary> hosts() {
    return queryHosts("", null);
  }

  @Override
  public synchronized Optional<HostSummary> host(String hostId) {
    List<HostSummary> one = queryHosts(" WHERE h.host_id = ?", hostId);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  private List<HostSummary> queryHosts(String where, String arg) {
    String sql = "SELECT h.host_id, h.hostname, h.os_family, h.os_version, h.agent_version, h.lab, h.elevated, "
        + "h.first_seen_ms, h.last_seen_ms, h.last_report_ms, h.last_full_scan_ms, "
        + "EXISTS (SELECT 1 FROM host_roles r WHERE r.host_id = h.host_id AND r.role = '" + DEMO_ROLE + "'), "
        + "h.effective_lab, h.lab_source, h.lab_rule_id "
        + "FROM hosts h" + where
        + " ORDER BY h.hostname, h.host_id";
    List<HostSummary> out = new ArrayList<>();
    try (PreparedStatement ps = reader.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String hostId = rs.getString(1);
          out.add(new HostSummary(hostId, rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getString(6), rs.getInt(7) != 0, currentAddresses(hostId),
              Instant.ofEpochMilli(rs.getLong(8)), Instant.ofEpochMilli(rs.getLong(9)),
              optionalInstant(rs, 10), optionalInstant(rs, 11), rs.getInt(12) != 0,
              rs.getString(13) == null ? Optional.empty() : Optional.of(new HostSummary.EffectiveLab(rs.getString(13),
                  Objects.requireNonNullElse(rs.getString(14), ""), Objects.requireNonNullElse(rs.getString(15), "")))));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("Cannot read hosts from " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  private List<String> currentAddresses(String hostId) throws SQLException {
    List<String> ips = new ArrayList<>();
    try (PreparedStatement ps = reader.prepareStatement(
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
  public synchronized long reportCount() {
    try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM reports")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new StoreException("Cannot count reports in " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] secret(String name) {
    requireNonNull(name, "name");
    return writes.submit(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return rs.getBytes(1);
          }
        }
      }
      byte[] value = new byte[32];
      new SecureRandom().nextBytes(value);
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO settings(name, value) VALUES (?,?)")) {
        ps.setString(1, name);
        ps.setBytes(2, value);
        ps.executeUpdate();
      }
      return value;
    }).join();
  }

  /** Every address interval of a host, newest first. */
  public synchronized List<AddressInterval> addressHistory(String hostId) {
    List<AddressInterval> out = new ArrayList<>();
    try (PreparedStatement ps = reader.prepareStatement(
        "SELECT host_id, ip, mac, interface_name, first_seen_ms, last_seen_ms, is_current FROM host_addresses "
            + "WHERE host_id = ? ORDER BY first_seen_ms DESC, ip")) {
      ps.setString(1, hostId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new AddressInterval(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)), rs.getInt(7) != 0));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("Cannot read address history from " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** The newest {@code limit} reports of a host, newest first. */
  public synchronized List<ReportEntry> reports(String hostId, int limit) {
    List<ReportEntry> out = new ArrayList<>();
    try (PreparedStatement ps = reader.prepareStatement(
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
    } catch (SQLException e) {
      throw new StoreException("Cannot read reports from " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Runs a read on the store's reader connection (one reader at a time). */
  synchronized <T> T read(String what, WriteQueue.Task<T> query) {
    try {
      return query.run(reader);
    } catch (SQLException e) {
      throw new StoreException("Cannot read " + what + " from " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * SQLite's {@code PRAGMA data_version} on the reader connection: it changes whenever another
   * connection (this store's writer, or another process) commits. One cheap read tells a poller
   * whether anything changed at all.
   */
  public long dataVersion() {
    return read("data version", db -> {
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("PRAGMA data_version")) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  /**
   * Stores hosts' effective labs (computed by the fleet's lab rules), in one transaction. A host
   * that no longer exists is skipped.
   */
  public CompletableFuture<Void> setEffectiveLabs(Map<String, HostSummary.EffectiveLab> labs) {
    Map<String, HostSummary.EffectiveLab> copy = new LinkedHashMap<>(labs);
    return writes.submit(db -> {
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
      return null;
    });
  }

  /** A setting's value, if set. */
  public Optional<byte[]> setting(String name) {
    return read("setting " + name, db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT value FROM settings WHERE name = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.<byte[]>empty();
        }
      }
    });
  }

  /** Sets (or, for an empty value, removes) several settings in one transaction. */
  public CompletableFuture<Void> putSettings(Map<String, byte[]> values) {
    Map<String, byte[]> copy = new LinkedHashMap<>(values);
    return writes.submit(db -> {
      for (Map.Entry<String, byte[]> e : copy.entrySet()) {
        try (PreparedStatement ps = db.prepareStatement(e.getValue().length == 0
            ? "DELETE FROM settings WHERE name = ?"
            : "INSERT INTO settings(name, value) VALUES (?,?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")) {
          ps.setString(1, e.getKey());
          if (e.getValue().length > 0) {
            ps.setBytes(2, e.getValue());
          }
          ps.executeUpdate();
        }
      }
      return null;
    });
  }

  /**
   * Several settings read by one statement, so from one snapshot of the database (a policy's
   * version and its content must not come from two different commits). Absent names are absent.
   */
  public Map<String, byte[]> settings(Collection<String> names) {
    List<String> list = List.copyOf(names);
    if (list.isEmpty()) {
      return Map.of();
    }
    return read("settings", db -> {
      Map<String, byte[]> out = new LinkedHashMap<>();
      try (PreparedStatement ps = db.prepareStatement("SELECT name, value FROM settings WHERE name IN ("
          + String.join(",", java.util.Collections.nCopies(list.size(), "?")) + ")")) {
        for (int i = 0; i < list.size(); i++) {
          ps.setString(i + 1, list.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1), rs.getBytes(2));
          }
        }
      }
      return out;
    });
  }

  /**
   * Sets (or, for an empty value, removes) {@code values} and increments the decimal counter
   * setting {@code counter} in the same transaction; returns the counter's new value.
   *
   * <p>The increment is one SQL statement on the writer connection, so it reads and writes the
   * counter under SQLite's write lock: two writers, in this process or in two processes on one
   * database file, never get the same value (a read on one connection and a write on another
   * could, and agents would then miss the second change).
   */
  public CompletableFuture<Long> putSettingsAndIncrement(Map<String, byte[]> values, String counter) {
    requireNonNull(counter, "counter");
    Map<String, byte[]> copy = new LinkedHashMap<>(values);
    copy.remove(counter);
    return writes.submit(db -> {
      for (Map.Entry<String, byte[]> e : copy.entrySet()) {
        try (PreparedStatement ps = db.prepareStatement(e.getValue().length == 0
            ? "DELETE FROM settings WHERE name = ?"
            : "INSERT INTO settings(name, value) VALUES (?,?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")) {
          ps.setString(1, e.getKey());
          if (e.getValue().length > 0) {
            ps.setBytes(2, e.getValue());
          }
          ps.executeUpdate();
        }
      }
      try (PreparedStatement ps = db.prepareStatement("INSERT INTO settings(name, value) VALUES (?, CAST('1' AS BLOB)) "
          + "ON CONFLICT(name) DO UPDATE SET value = "
          + "CAST(CAST(CAST(CAST(settings.value AS TEXT) AS INTEGER) + 1 AS TEXT) AS BLOB)")) {
        ps.setString(1, counter);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT CAST(CAST(value AS TEXT) AS INTEGER) FROM settings "
          + "WHERE name = ?")) {
        ps.setString(1, counter);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    });
  }

  /** The login names the host last reported as logged in, lower case. */
  public List<String> loggedInUsers(String hostId) {
    return read("logged-in users", db -> {
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
  public List<String> hostsWithLoggedInUser(String user) {
    String name = user.trim().toLowerCase(java.util.Locale.ROOT);
    return read("hosts of a user", db -> {
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
  public CompletableFuture<Void> setAddressOwner(String email, String hostId, String source, Instant at) {
    return writes.submit(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO address_owners(email, host_id, source, updated_ms) VALUES (?,?,?,?) "
              + "ON CONFLICT(email, host_id) DO UPDATE SET source = excluded.source, updated_ms = excluded.updated_ms")) {
        ps.setString(1, email);
        ps.setString(2, hostId);
        ps.setString(3, source);
        ps.setLong(4, at.toEpochMilli());
        ps.executeUpdate();
      }
      return null;
    });
  }

  // ---- verdicts -------------------------------------------------------------------------

  @Override
  public synchronized List<String> hostIds() {
    List<String> ids = new ArrayList<>();
    try (Statement st = reader.createStatement();
        ResultSet rs = st.executeQuery("SELECT host_id FROM hosts ORDER BY host_id")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new StoreException("Cannot list hosts in " + file + ": " + e.getMessage(), e);
    }
    return ids;
  }

  /** Most rows of one kind of evidence loaded for a verdict (the newest ones). */
  static final int EVIDENCE_ROWS = 100;

  /** At most this many incomplete full scans after the latest complete one add their findings. */
  static final int INCOMPLETE_SCANS = 8;

  @Override
  public Optional<HostEvidence> evidence(String hostId, Instant now, VerdictPolicy policy) {
    return evidence(hostId, now, policy, Optional.empty());
  }

  /**
   * Which hosts have any evidence of the rarer kinds, read once for a sweep: most hosts have
   * no findings, no unallowed egress and no complaints, and a sweep then skips those three
   * questions for them. Evidence that arrives during the sweep is not lost: its ingest
   * schedules that host's own recompute, without hints.
   */
  private record SweepHints(Set<String> withFindings, Set<String> withEgress, Set<String> withComplaints,
      Set<String> mailServers, Set<String> withConflicts) {}

  /**
   * Hosts that report an address another host reports too, both within the holding grace of
   * their last report. One pass over the current intervals, each probing host_addresses_by_ip.
   */
  static final String HOSTS_WITH_CONFLICTS = "SELECT DISTINCT a.host_id FROM host_addresses a "
      + "JOIN host_addresses b ON b.ip = a.ip AND b.is_current = 1 AND b.host_id <> a.host_id "
      + "AND b.last_seen_ms >= ?1 WHERE a.is_current = 1 AND a.last_seen_ms >= ?1";

  /** One host's conflicts (host_addresses_current for the host's side, host_addresses_by_ip for the other). */
  static final String CONFLICTS_OF_HOST = "SELECT a.ip, b.host_id, h.hostname, "
      + "MAX(a.first_seen_ms, b.first_seen_ms) FROM host_addresses a "
      + "JOIN host_addresses b ON b.ip = a.ip AND b.is_current = 1 AND b.host_id <> a.host_id "
      + "AND b.last_seen_ms >= ?2 JOIN hosts h ON h.host_id = b.host_id "
      + "WHERE a.host_id = ?1 AND a.is_current = 1 AND a.last_seen_ms >= ?2 ORDER BY a.ip, b.host_id LIMIT "
      + 100;

  /**
   * A sweep's evidence. The two questions every host is asked (its row, its latest AV
   * statuses) are asked of a batch of hosts in one query each: one query per host meant
   * 200,000 statement runs per sweep of 100,000 hosts, and running them (JDBC, JNI, a read
   * transaction each) cost several times what SQLite spent finding the rows.
   */
  @Override
  public Sweep sweep(Instant now, VerdictPolicy policy) {
    SweepHints hints = read("verdict sweep", db -> new SweepHints(
        hostSet(db, "SELECT DISTINCT host_id FROM findings UNION SELECT DISTINCT host_id FROM scans "
            + "WHERE kind = 'SCAN_KIND_FULL' AND failed_checks <> ''", null),
        hostSet(db, "SELECT DISTINCT host_id FROM egress_windows WHERE allowed = 0 AND window_end_ms >= ?",
            now.minus(policy.egressLookback()).toEpochMilli()),
        hostSet(db, "SELECT DISTINCT host_id FROM complaint_traces WHERE traced_ms >= ?",
            now.minus(policy.complaintLookback()).toEpochMilli()),
        hostSet(db, "SELECT host_id FROM host_roles WHERE role = 'mail-server'", null),
        hostSet(db, HOSTS_WITH_CONFLICTS, now.minus(TriageOptions.HOLDING_GRACE).toEpochMilli())));
    return new Sweep() {
      @Override
      public Optional<HostEvidence> apply(String hostId) {
        return evidence(hostId, now, policy, Optional.of(hints));
      }

      @Override
      public Map<String, HostEvidence> evidenceOf(List<String> hostIds) {
        return sweepEvidence(hostIds, now, policy, hints);
      }
    };
  }

  private static Set<String> hostSet(Connection db, String sql, Long sinceMs) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      if (sinceMs != null) {
        ps.setLong(1, sinceMs);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  /** A host's row, as verdicts need it. */
  private record HostRow(String hostname, Instant lastSeen, Optional<Instant> lastFullScan) {}

  private synchronized Optional<HostEvidence> evidence(String hostId, Instant now, VerdictPolicy policy,
      Optional<SweepHints> hints) {
    try {
      PreparedStatement ps = readerStatements.prepare(
          "SELECT hostname, last_seen_ms, last_full_scan_ms FROM hosts WHERE host_id = ?");
      ps.setString(1, hostId);
      HostRow row;
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        row = hostRow(rs, 1);
      }
      return Optional.of(evidence(hostId, row, av(hostId), now, policy, hints));
    } catch (SQLException e) {
      readerStatements.close(); // a statement whose step failed is finalized: compile them anew
      throw new StoreException("Cannot read evidence of host " + hostId + " from " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The evidence of a sweep's batch of hosts, each exactly as {@link #evidence(String, Instant,
   * VerdictPolicy, Optional)} reads it: host rows and latest AV statuses in one query each, the
   * rarer kinds per host as the hints say.
   */
  private synchronized Map<String, HostEvidence> sweepEvidence(List<String> hostIds, Instant now,
      VerdictPolicy policy, SweepHints hints) {
    List<String> distinct = List.copyOf(new LinkedHashSet<>(hostIds));
    if (distinct.isEmpty()) {
      return Map.of();
    }
    try {
      String ids = JSON.writeValueAsString(distinct);
      Map<String, HostRow> rows = new HashMap<>();
      PreparedStatement hosts = readerStatements.prepare(
          "SELECT host_id, hostname, last_seen_ms, last_full_scan_ms FROM hosts "
              + "WHERE host_id IN (SELECT value FROM json_each(?))");
      hosts.setString(1, ids);
      try (ResultSet rs = hosts.executeQuery()) {
        while (rs.next()) {
          rows.put(rs.getString(1), hostRow(rs, 2));
        }
      }
      // Per host, the rows of its latest report in the order the per-host query gives them
      // (that report's entries of av_status_by_report).
      Map<String, List<HostEvidence.Av>> av = new HashMap<>();
      PreparedStatement latestAv = readerStatements.prepare(
          "SELECT j.value, a.report_id, a.provider, a.product, a.state, a.reason "
              + "FROM json_each(?) AS j CROSS JOIN av_status AS a ON a.report_id = "
              + "(SELECT s.report_id FROM av_status s WHERE s.host_id = j.value ORDER BY s.observed_ms DESC LIMIT 1)");
      latestAv.setString(1, ids);
      try (ResultSet rs = latestAv.executeQuery()) {
        while (rs.next()) {
          av.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(avRow(rs, 2));
        }
      }
      Map<String, HostEvidence> out = new HashMap<>();
      for (String hostId : distinct) {
        HostRow row = rows.get(hostId);
        if (row != null) {
          out.put(hostId, evidence(hostId, row, av.getOrDefault(hostId, List.of()), now, policy, Optional.of(hints)));
        }
      }
      return out;
    } catch (SQLException e) {
      readerStatements.close();
      throw new StoreException("Cannot read evidence of " + distinct.size() + " hosts from " + file + ": "
          + e.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static HostRow hostRow(ResultSet rs, int first) throws SQLException {
    return new HostRow(rs.getString(first), Instant.ofEpochMilli(rs.getLong(first + 1)),
        optionalInstant(rs, first + 2));
  }

  private static HostEvidence.Av avRow(ResultSet rs, int first) throws SQLException {
    return new HostEvidence.Av(rs.getString(first), rs.getString(first + 1), rs.getString(first + 2),
        rs.getString(first + 3).replace("AV_STATE_", ""), rs.getString(first + 4));
  }

  /** The AV statuses of the host's latest report that carried any. */
  private List<HostEvidence.Av> av(String hostId) throws SQLException {
    List<HostEvidence.Av> av = new ArrayList<>();
    PreparedStatement ps = readerStatements.prepare(
        "SELECT report_id, provider, product, state, reason FROM av_status WHERE report_id = "
            + "(SELECT report_id FROM av_status WHERE host_id = ? ORDER BY observed_ms DESC LIMIT 1)");
    ps.setString(1, hostId);
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        av.add(avRow(rs, 1));
      }
    }
    return av;
  }

  /** A host's evidence from its row and AV statuses, with the rarer kinds read unless the hints rule them out. */
  private HostEvidence evidence(String hostId, HostRow row, List<HostEvidence.Av> av, Instant now,
      VerdictPolicy policy, Optional<SweepHints> hints) throws SQLException {
    List<HostEvidence.Finding> findings = new ArrayList<>();
    List<HostEvidence.IncompleteScan> incomplete = new ArrayList<>();
    if (hints.map(h -> h.withFindings().contains(hostId)).orElse(true)) {
      // The finding source: the latest full scan whose checks all completed, plus the (newest few)
      // incomplete full scans after it. An incomplete scan adds findings and never clears any.
      String completeReport = null;
      long completeMs = Long.MIN_VALUE;
      {
        PreparedStatement ps = readerStatements.prepare(
          "SELECT report_id, finished_ms FROM scans WHERE host_id = ? AND kind = 'SCAN_KIND_FULL' "
              + "AND finished_ms IS NOT NULL AND failed_checks = '' ORDER BY finished_ms DESC LIMIT 1");
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            completeReport = rs.getString(1);
            completeMs = rs.getLong(2);
          }
        }
      }
      {
        PreparedStatement ps = readerStatements.prepare(
          "SELECT report_id, finished_ms, failed_checks FROM scans WHERE host_id = ? "
              + "AND kind = 'SCAN_KIND_FULL' AND finished_ms IS NOT NULL AND failed_checks <> '' "
              + "AND finished_ms >= ? ORDER BY finished_ms DESC LIMIT " + INCOMPLETE_SCANS);
        ps.setString(1, hostId);
        ps.setLong(2, completeMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            incomplete.add(new HostEvidence.IncompleteScan(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
                List.of(rs.getString(3).split(","))));
          }
        }
      }
      // Newest source first, so a finding seen again is shown from its newest scan.
      List<String> ordered = new ArrayList<>(incomplete.stream().map(HostEvidence.IncompleteScan::reportId).toList());
      if (completeReport != null) {
        ordered.add(completeReport);
      }
      Set<String> seen = new HashSet<>();
      PreparedStatement ps = readerStatements.prepare(
        "SELECT f.report_id, f.rule_id, f.rule_kind, f.path, f.registry_key, f.detail, f.severity "
            + "FROM findings f WHERE f.report_id = ? ORDER BY f.rule_id, f.path LIMIT " + EVIDENCE_ROWS);
      for (String reportId : ordered) {
        ps.setString(1, reportId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next() && findings.size() < EVIDENCE_ROWS) {
            String where = !rs.getString(4).isEmpty() ? rs.getString(4) : rs.getString(5);
            if (seen.add(rs.getString(2) + "\u0000" + where)) {
              findings.add(new HostEvidence.Finding(rs.getString(1), rs.getString(2), rs.getString(3), where,
                  rs.getString(6), "FINDING_SEVERITY_SUSPICIOUS".equals(rs.getString(7))));
            }
          }
        }
      }
    }
    List<HostEvidence.Egress> egress = new ArrayList<>();
    if (hints.map(h -> h.withEgress().contains(hostId)).orElse(true)) {
      PreparedStatement ps = readerStatements.prepare(
        "SELECT report_id, window_start_ms, window_end_ms, pid, process_name, process_path, connections, "
            + "distinct_destinations, destinations FROM egress_windows WHERE host_id = ? AND allowed = 0 "
            + "AND window_end_ms >= ? ORDER BY window_start_ms DESC LIMIT " + EVIDENCE_ROWS);
      ps.setString(1, hostId);
      ps.setLong(2, now.minus(policy.egressLookback()).toEpochMilli());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          egress.add(new HostEvidence.Egress(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
              Instant.ofEpochMilli(rs.getLong(3)), rs.getInt(4), rs.getString(5), rs.getString(6),
              rs.getInt(7), rs.getInt(8), rs.getString(9)));
        }
      }
    }
    List<HostEvidence.Complaint> complaints = new ArrayList<>();
    if (hints.map(h -> h.withComplaints().contains(hostId)).orElse(true)) {
      PreparedStatement ps = readerStatements.prepare(
        "SELECT complaint_id, confidence, traced_ms, summary FROM complaint_traces WHERE host_id = ? "
            + "AND traced_ms >= ? ORDER BY traced_ms DESC LIMIT " + EVIDENCE_ROWS);
      ps.setString(1, hostId);
      ps.setLong(2, now.minus(policy.complaintLookback()).toEpochMilli());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          complaints.add(new HostEvidence.Complaint(rs.getString(1), rs.getDouble(2),
              Instant.ofEpochMilli(rs.getLong(3)), rs.getString(4)));
        }
      }
    }
    boolean mailServer;
    if (hints.isPresent()) {
      mailServer = hints.get().mailServers().contains(hostId);
    } else {
      PreparedStatement ps = readerStatements.prepare(
        "SELECT 1 FROM host_roles WHERE host_id = ? AND role = 'mail-server'");
      ps.setString(1, hostId);
      try (ResultSet rs = ps.executeQuery()) {
        mailServer = rs.next();
      }
    }
    List<HostEvidence.Conflict> conflicts = new ArrayList<>();
    if (hints.map(h -> h.withConflicts().contains(hostId)).orElse(true)) {
      conflicts.addAll(addressConflicts(readerStatements, hostId, now));
    }
    return new HostEvidence(hostId, row.hostname(), row.lastSeen(), row.lastFullScan(), findings, av, egress,
        complaints, mailServer, conflicts, incomplete);
  }

  private static List<HostEvidence.Conflict> addressConflicts(StatementCache sql, String hostId, Instant now)
      throws SQLException {
    List<HostEvidence.Conflict> conflicts = new ArrayList<>();
    PreparedStatement ps = sql.prepare(CONFLICTS_OF_HOST);
    ps.setString(1, hostId);
    ps.setLong(2, now.minus(TriageOptions.HOLDING_GRACE).toEpochMilli());
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        conflicts.add(new HostEvidence.Conflict(rs.getString(1), rs.getString(2), rs.getString(3),
            Instant.ofEpochMilli(rs.getLong(4))));
      }
    }
    return conflicts;
  }

  /**
   * Addresses this host reports that another host reports at the same time (both heard from
   * within the holding grace), for the host views.
   */
  public synchronized List<HostEvidence.Conflict> addressConflicts(String hostId, Instant now) {
    try {
      return addressConflicts(readerStatements, requireNonNull(hostId, "hostId"), requireNonNull(now, "now"));
    } catch (SQLException e) {
      readerStatements.close();
      throw new StoreException("Cannot read address conflicts from " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean saveAssessment(String hostId, Assessment assessment, Instant at) {
    return saveAssessmentLater(hostId, assessment, at).join();
  }

  @Override
  public CompletableFuture<Boolean> saveAssessmentLater(String hostId, Assessment assessment, Instant at) {
    requireNonNull(hostId, "hostId");
    String reasons = reasonsJson(assessment.reasons());
    long now = at.toEpochMilli();
    return writes.submit(db -> {
      PreparedStatement select = writerStatements.prepare("SELECT verdict, reasons FROM verdicts WHERE host_id = ?");
      select.setString(1, hostId);
      Optional<Stored> current;
      try (ResultSet rs = select.executeQuery()) {
        current = rs.next() ? Optional.of(new Stored(rs.getString(1), rs.getString(2))) : Optional.empty();
      }
      return saveVerdict(writerStatements, hostId, assessment.verdict().name(), reasons, now, current);
    });
  }

  /**
   * A sweep's batch in one write task: the current verdicts of all its hosts are read with one
   * query (not one {@code SELECT} per host), then only the changes are written. Should the task
   * fail, its savepoint has undone all of it, and each host is saved again on its own, so that
   * one host's failure does not fail the others.
   */
  @Override
  public List<CompletableFuture<Boolean>> saveAssessmentsLater(List<Assessed> saves, Instant at) {
    List<Assessed> batch = List.copyOf(saves);
    long now = at.toEpochMilli();
    List<String> reasons = new ArrayList<>(batch.size());
    List<CompletableFuture<Boolean>> each = new ArrayList<>(batch.size());
    for (Assessed s : batch) {
      reasons.add(reasonsJson(s.assessment().reasons()));
      each.add(new CompletableFuture<>());
    }
    if (batch.isEmpty()) {
      return each;
    }
    String hostIds = hostIdsJson(batch);
    writes.submit(db -> {
      Map<String, Stored> current = storedVerdicts(hostIds);
      boolean[] changed = new boolean[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        Assessed s = batch.get(i);
        String verdict = s.assessment().verdict().name();
        changed[i] = saveVerdict(writerStatements, s.hostId(), verdict, reasons.get(i), now,
            Optional.ofNullable(current.get(s.hostId())));
        current.put(s.hostId(), new Stored(verdict, reasons.get(i))); // a host twice in one batch
      }
      return changed;
    }).whenComplete((changed, failure) -> {
      for (int i = 0; i < batch.size(); i++) {
        CompletableFuture<Boolean> one = each.get(i);
        if (failure == null) {
          one.complete(changed[i]);
        } else {
          Assessed s = batch.get(i);
          saveAssessmentLater(s.hostId(), s.assessment(), at).whenComplete((c, f) -> {
            if (f == null) {
              one.complete(c);
            } else {
              one.completeExceptionally(f);
            }
          });
        }
      }
    });
    return each;
  }

  /** A host's stored verdict and reasons (JSON), as the writer compares them. */
  private record Stored(String verdict, String reasons) {}

  /** The stored verdicts of the hosts in {@code hostIdsJson}, by host id; on the writer thread. */
  private Map<String, Stored> storedVerdicts(String hostIdsJson) throws SQLException {
    PreparedStatement select = writerStatements.prepare(
        "SELECT host_id, verdict, reasons FROM verdicts WHERE host_id IN (SELECT value FROM json_each(?))");
    select.setString(1, hostIdsJson);
    Map<String, Stored> current = new HashMap<>();
    try (ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        current.put(rs.getString(1), new Stored(rs.getString(2), rs.getString(3)));
      }
    }
    return current;
  }

  private static String hostIdsJson(List<Assessed> batch) {
    try {
      return JSON.writeValueAsString(batch.stream().map(Assessed::hostId).toList());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a host's verdict given what is stored: a changed verdict is upserted with a new
   * {@code since} and appended to the history; the same verdict with other reasons only
   * updates the reasons; the same verdict and reasons (most recomputes) write nothing.
   *
   * @return true when the verdict changed
   */
  private static boolean saveVerdict(StatementCache sql, String hostId, String verdict, String reasons, long now,
      Optional<Stored> current) throws SQLException {
    boolean changed = current.map(c -> !c.verdict().equals(verdict)).orElse(true);
    if (changed) {
      PreparedStatement upsert = sql.prepare(
          "INSERT INTO verdicts(host_id, verdict, since_ms, computed_ms, reasons) VALUES (?,?,?,?,?) "
              + "ON CONFLICT(host_id) DO UPDATE SET verdict = excluded.verdict, since_ms = excluded.since_ms, "
              + "computed_ms = excluded.computed_ms, reasons = excluded.reasons");
      upsert.setString(1, hostId);
      upsert.setString(2, verdict);
      upsert.setLong(3, now);
      upsert.setLong(4, now);
      upsert.setString(5, reasons);
      upsert.executeUpdate();
      PreparedStatement history = sql.prepare(
          "INSERT INTO verdict_history(host_id, verdict, at_ms, reasons) VALUES (?,?,?,?)");
      history.setString(1, hostId);
      history.setString(2, verdict);
      history.setLong(3, now);
      history.setString(4, reasons);
      history.executeUpdate();
    } else if (!reasons.equals(current.get().reasons())) {
      // Same verdict, other reasons. With the same reasons too (most recomputes) nothing is
      // written: rewriting the row only to move computed_ms cost a page write per report and
      // per host every sweep.
      PreparedStatement update = sql.prepare("UPDATE verdicts SET computed_ms = ?, reasons = ? WHERE host_id = ?");
      update.setLong(1, now);
      update.setString(2, reasons);
      update.setString(3, hostId);
      update.executeUpdate();
    }
    return changed;
  }

  @Override
  public synchronized Optional<VerdictRecord> verdict(String hostId) {
    List<VerdictRecord> one = readVerdicts(
        "SELECT host_id, verdict, since_ms, reasons FROM verdicts WHERE host_id = ?", hostId);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  @Override
  public synchronized List<VerdictRecord> verdicts() {
    return readVerdicts("SELECT host_id, verdict, since_ms, reasons FROM verdicts ORDER BY host_id", null);
  }

  @Override
  public synchronized List<VerdictRecord> history(String hostId) {
    return readVerdicts("SELECT host_id, verdict, at_ms, reasons FROM verdict_history WHERE host_id = ? "
        + "ORDER BY at_ms, rowid", hostId);
  }

  private List<VerdictRecord> readVerdicts(String sql, String arg) {
    List<VerdictRecord> out = new ArrayList<>();
    try (PreparedStatement ps = reader.prepareStatement(sql)) {
      if (arg != null) {
        ps.setString(1, arg);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new VerdictRecord(rs.getString(1), Verdict.valueOf(rs.getString(2)),
              Instant.ofEpochMilli(rs.getLong(3)), parseReasons(rs.getString(4))));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("Cannot read verdicts from " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  private static String reasonsJson(List<Reason> reasons) {
    try {
      return JSON.writeValueAsString(reasons);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Reason> parseReasons(String json) {
    try {
      return JSON.readValue(json, new TypeReference<List<Reason>>() {});
    } catch (JsonProcessingException e) {
      return List.of(new Reason("unreadable", "stored reasons unreadable: " + e.getOriginalMessage(), ""));
    }
  }

  /**
   * Runs {@code work} on the writer thread, inside the batched transaction; the future
   * completes after the commit. For tables owned outside this package.
   */
  public <T> CompletableFuture<T> write(SqlWork<T> work) {
    requireNonNull(work, "work");
    return writes.submit(work::run);
  }

  /** Runs {@code work} on the read-only connection. For tables owned outside this package. */
  public synchronized <T> T read(SqlWork<T> work) {
    requireNonNull(work, "work");
    try {
      return work.run(reader);
    } catch (SQLException e) {
      throw new StoreException("Cannot read from " + file + ": " + e.getMessage(), e);
    }
  }

  /** The role of simulated hosts ({@code labscan-controller demo}): {@link HostSummary#demo()}. */
  public static final String DEMO_ROLE = "demo-data";

  /** Gives a host a role ("mail-server" lets it send mail) or takes it away. */
  public CompletableFuture<Void> setRole(String hostId, String role, boolean present) {
    return writes.submit(db -> {
      try (PreparedStatement ps = db.prepareStatement(present
          ? "INSERT INTO host_roles(host_id, role) VALUES (?,?) ON CONFLICT(host_id, role) DO NOTHING"
          : "DELETE FROM host_roles WHERE host_id = ? AND role = ?")) {
        ps.setString(1, hostId);
        ps.setString(2, role);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** The ids of the hosts that have {@code role}. */
  public Set<String> hostsWithRole(String role) {
    requireNonNull(role, "role");
    return read("host roles", db -> {
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
  public CompletableFuture<Void> recordComplaintTrace(String complaintId, String hostId, double confidence,
      Instant tracedAt, String originIp, Optional<Instant> originTime, String summary) {
    return writes.submit(db -> {
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
      return null;
    });
  }

  // ---- trust ----------------------------------------------------------------------------

  private static Optional<String> assignedLab(StatementCache sql, String hostId) throws SQLException {
    PreparedStatement ps = sql.prepare("SELECT lab FROM host_enrolments WHERE host_id = ? AND lab <> ''");
    ps.setString(1, hostId);
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
    }
  }

  @Override
  public CompletableFuture<Void> saveToken(TokenRecord token) {
    requireNonNull(token, "token");
    return writes.submit(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO enrolment_tokens(token_id, secret_sha256, lab, created_ms, expires_ms, uses_total, uses_left, "
              + "host_id) VALUES (?,?,?,?,?,?,?,?)")) {
        ps.setString(1, token.tokenId());
        ps.setString(2, HexFormat.of().formatHex(token.secretSha256()));
        ps.setString(3, token.lab());
        ps.setLong(4, token.created().toEpochMilli());
        ps.setLong(5, token.expires().toEpochMilli());
        ps.setInt(6, token.uses());
        ps.setInt(7, token.uses());
        ps.setString(8, token.hostId());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public TokenCheck checkToken(String tokenId, byte[] secretSha256, Instant at) {
    requireNonNull(tokenId, "tokenId");
    requireNonNull(secretSha256, "secretSha256");
    long now = at.toEpochMilli();
    byte[] presented = secretSha256.clone();
    return read(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT secret_sha256, expires_ms, uses_left, host_id FROM enrolment_tokens WHERE token_id = ?")) {
        ps.setString(1, tokenId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || !MessageDigest.isEqual(HexFormat.of().parseHex(rs.getString(1)), presented)) {
            return new TokenCheck(Outcome.UNKNOWN_TOKEN, "");
          }
          if (rs.getLong(2) <= now) {
            return new TokenCheck(Outcome.EXPIRED, "");
          }
          if (rs.getInt(3) <= 0) {
            return new TokenCheck(Outcome.USED_UP, "");
          }
          return new TokenCheck(Outcome.ACCEPTED, rs.getString(4));
        }
      }
    });
  }

  /** The tables that name host ids: a host id in any of them is known to the controller. */
  private static final List<String> HOST_TABLES = List.of("hosts", "host_enrolments", "revoked_hosts", "verdicts",
      "reports", "host_roles", "address_owners", "report_imports");

  private static boolean hostKnown(java.sql.Connection db, String hostId) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < HOST_TABLES.size(); i++) {
      sql.append(i == 0 ? "" : " OR ").append("EXISTS (SELECT 1 FROM ").append(HOST_TABLES.get(i))
          .append(" WHERE host_id = ?)");
    }
    try (PreparedStatement ps = db.prepareStatement(sql.toString())) {
      for (int i = 1; i <= HOST_TABLES.size(); i++) {
        ps.setString(i, hostId);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) != 0;
      }
    }
  }

  @Override
  public boolean hostKnown(String hostId) {
    requireNonNull(hostId, "hostId");
    return read(db -> hostKnown(db, hostId));
  }

  @Override
  public CompletableFuture<Redemption> redeem(String tokenId, byte[] secretSha256, EnrolledHost host, Instant at) {
    requireNonNull(tokenId, "tokenId");
    requireNonNull(secretSha256, "secretSha256");
    requireNonNull(host, "host");
    long now = at.toEpochMilli();
    byte[] presented = secretSha256.clone();
    return writes.submit(db -> {
      String tokenLab;
      String boundHost;
      try (PreparedStatement ps = db.prepareStatement(
          "SELECT secret_sha256, lab, expires_ms, uses_left, host_id FROM enrolment_tokens WHERE token_id = ?")) {
        ps.setString(1, tokenId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next() || !MessageDigest.isEqual(HexFormat.of().parseHex(rs.getString(1)), presented)) {
            return Redemption.refused(Outcome.UNKNOWN_TOKEN);
          }
          if (rs.getLong(3) <= now) {
            return Redemption.refused(Outcome.EXPIRED);
          }
          if (rs.getInt(4) <= 0) {
            return Redemption.refused(Outcome.USED_UP);
          }
          tokenLab = rs.getString(2);
          boundHost = rs.getString(5);
        }
      }
      if (!boundHost.isEmpty() && !boundHost.equals(host.hostId())) {
        return Redemption.refused(Outcome.WRONG_HOST);
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM revoked_hosts WHERE host_id = ?")) {
        ps.setString(1, host.hostId());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return Redemption.refused(Outcome.HOST_REVOKED);
          }
        }
      }
      // A token enrols new hosts only; it never speaks for a host the controller knows (one with a
      // certificate, valid or ended, one with imported or plaintext reports), or a stolen token
      // would let anyone report for that host. Re-enrolling a known host takes a token an admin
      // bound to exactly that host.
      if (boundHost.isEmpty()) {
        try (PreparedStatement ps = db.prepareStatement(
            "SELECT 1 FROM host_enrolments WHERE host_id = ? AND certificate_not_after_ms > ?")) {
          ps.setString(1, host.hostId());
          ps.setLong(2, now);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              return Redemption.refused(Outcome.ALREADY_ENROLLED);
            }
          }
        }
        if (hostKnown(db, host.hostId())) {
          return Redemption.refused(Outcome.HOST_EXISTS);
        }
      }
      try (PreparedStatement ps = db.prepareStatement(
          "UPDATE enrolment_tokens SET uses_left = uses_left - 1 WHERE token_id = ? AND uses_left > 0")) {
        ps.setString(1, tokenId);
        if (ps.executeUpdate() != 1) {
          return Redemption.refused(Outcome.USED_UP);
        }
      }
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO host_enrolments(host_id, lab, token_id, certificate_serial, certificate_not_after_ms, "
              + "enrolled_ms) VALUES (?,?,?,?,?,?) ON CONFLICT(host_id) DO UPDATE SET "
              + "lab = CASE WHEN excluded.lab <> '' THEN excluded.lab ELSE host_enrolments.lab END, "
              + "token_id = excluded.token_id, certificate_serial = excluded.certificate_serial, "
              + "certificate_not_after_ms = excluded.certificate_not_after_ms, enrolled_ms = excluded.enrolled_ms, "
              // A token enrolment starts a new certificate line: nothing left to retry.
              + "previous_certificate_serial = '', certificate_key_sha256 = '', renewed_ms = 0")) {
        ps.setString(1, host.hostId());
        ps.setString(2, tokenLab);
        ps.setString(3, tokenId);
        ps.setString(4, host.certificateSerial());
        ps.setLong(5, host.certificateNotAfter().toEpochMilli());
        ps.setLong(6, now);
        ps.executeUpdate();
      }
      String lab = assignedLab(writerStatements, host.hostId()).orElse("");
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO hosts(host_id, hostname, lab, enrolled_ms, first_seen_ms, last_seen_ms) VALUES (?,?,?,?,?,?) "
              + "ON CONFLICT(host_id) DO UPDATE SET enrolled_ms = excluded.enrolled_ms, "
              + "lab = CASE WHEN excluded.lab <> '' THEN excluded.lab ELSE hosts.lab END, "
              + "last_seen_ms = MAX(hosts.last_seen_ms, excluded.last_seen_ms)")) {
        ps.setString(1, host.hostId());
        ps.setString(2, host.hostname());
        ps.setString(3, lab);
        ps.setLong(4, now);
        ps.setLong(5, now);
        ps.setLong(6, now);
        ps.executeUpdate();
      }
      return new Redemption(Outcome.ACCEPTED, lab);
    });
  }

  /** The agent certificate on record for a host: its serial, when it ends, when it was last renewed. */
  public record CertificateRecord(String serial, Instant notAfter, Optional<Instant> renewed,
      String previousSerial) {
    public CertificateRecord {
      requireNonNull(serial, "serial");
      requireNonNull(notAfter, "notAfter");
      requireNonNull(renewed, "renewed");
      requireNonNull(previousSerial, "previousSerial");
    }
  }

  /** The host's agent certificate as enrolment or the last renewal recorded it; empty on plaintext setups. */
  @Override
  public Optional<TrustRepository.CertificateSerials> certificateSerials(String hostId) {
    return certificate(hostId).map(c -> new TrustRepository.CertificateSerials(c.serial(), c.previousSerial()));
  }

  public Optional<CertificateRecord> certificate(String hostId) {
    requireNonNull(hostId, "hostId");
    return read(db -> {
      try (PreparedStatement ps = db.prepareStatement("SELECT certificate_serial, certificate_not_after_ms, "
          + "renewed_ms, previous_certificate_serial FROM host_enrolments WHERE host_id = ?")) {
        ps.setString(1, hostId);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.<CertificateRecord>empty();
          }
          long renewed = rs.getLong(3);
          return Optional.of(new CertificateRecord(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)),
              renewed > 0 ? Optional.of(Instant.ofEpochMilli(renewed)) : Optional.<Instant>empty(), rs.getString(4)));
        }
      }
    });
  }

  @Override
  public CompletableFuture<RenewalOutcome> renew(Renewal renewal, Instant at) {
    requireNonNull(renewal, "renewal");
    requireNonNull(at, "at");
    return writes.submit(db -> {
      String current;
      String previous;
      String renewedKey;
      try (PreparedStatement ps = db.prepareStatement("SELECT certificate_serial, previous_certificate_serial, "
          + "certificate_key_sha256 FROM host_enrolments WHERE host_id = ?")) {
        ps.setString(1, renewal.hostId());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return RenewalOutcome.NOT_ENROLLED;
          }
          current = rs.getString(1);
          previous = rs.getString(2);
          renewedKey = rs.getString(3);
        }
      }
      try (PreparedStatement ps = db.prepareStatement("SELECT 1 FROM revoked_hosts WHERE host_id = ?")) {
        ps.setString(1, renewal.hostId());
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            return RenewalOutcome.REVOKED;
          }
        }
      }
      RenewalOutcome outcome;
      String keepPrevious;
      if (renewal.presentedSerial().equalsIgnoreCase(current)) {
        outcome = RenewalOutcome.RENEWED;
        keepPrevious = current;
      } else if (!previous.isEmpty() && renewal.presentedSerial().equalsIgnoreCase(previous)
          && renewal.newKeyFingerprint().equals(renewedKey)) {
        outcome = RenewalOutcome.REISSUED;
        keepPrevious = previous;
      } else {
        return RenewalOutcome.REPLACED;
      }
      try (PreparedStatement ps = db.prepareStatement("UPDATE host_enrolments SET certificate_serial = ?, "
          + "certificate_not_after_ms = ?, previous_certificate_serial = ?, certificate_key_sha256 = ?, "
          + "renewed_ms = ? WHERE host_id = ?")) {
        ps.setString(1, renewal.newSerial());
        ps.setLong(2, renewal.newNotAfter().toEpochMilli());
        ps.setString(3, keepPrevious);
        ps.setString(4, renewal.newKeyFingerprint());
        ps.setLong(5, at.toEpochMilli());
        ps.setString(6, renewal.hostId());
        ps.executeUpdate();
      }
      return outcome;
    });
  }

  @Override
  public CompletableFuture<Boolean> revoke(String hostId, String reason, Instant at) {
    requireNonNull(hostId, "hostId");
    requireNonNull(reason, "reason");
    return writes.submit(db -> {
      try (PreparedStatement ps = db.prepareStatement(
          "INSERT INTO revoked_hosts(host_id, revoked_ms, reason) VALUES (?,?,?) ON CONFLICT(host_id) DO NOTHING")) {
        ps.setString(1, hostId);
        ps.setLong(2, at.toEpochMilli());
        ps.setString(3, reason);
        return ps.executeUpdate() > 0;
      }
    });
  }

  @Override
  public synchronized Set<String> revokedHosts() {
    Set<String> out = new HashSet<>();
    try (Statement st = reader.createStatement(); ResultSet rs = st.executeQuery("SELECT host_id FROM revoked_hosts")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new StoreException("Cannot read revoked hosts from " + file + ": " + e.getMessage(), e);
    }
    return Set.copyOf(out);
  }

  @Override
  public void close() {
    writes.close(); // also closes the writer's statements, on the writer thread
    synchronized (this) {
      readerStatements.close();
    }
    closeQuietly(reader);
    closeQuietly(writer);
  }

  private static Optional<Instant> optionalInstant(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  private static void setMillis(PreparedStatement ps, int index, Timestamp ts) throws SQLException {
    setLong(ps, index, ts == null ? null : Timestamps.toMillis(ts));
  }

  private static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, value);
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }

  // ---- Time claims, quota and retention (issue #16) ----

  /** A clock reading farther than this from the controller's is shown on the host as skewed. */
  public static final java.time.Duration CLOCK_SKEW_FLAG = java.time.Duration.ofMinutes(5);

  /**
   * What a host last claimed about time, against the controller's clock.
   *
   * @param skew the agent's clock minus the controller's at {@code observed} (positive: fast)
   * @param observed when the controller saw that claim
   * @param lastReportClaimed the creation time its newest report claimed, unchanged
   */
  public record ClockClaim(java.time.Duration skew, Instant observed, Optional<Instant> lastReportClaimed) {
    /** True when the skew exceeds {@link #CLOCK_SKEW_FLAG} in either direction. */
    public boolean flagged() {
      return skew.abs().compareTo(CLOCK_SKEW_FLAG) > 0;
    }

    /** "3 h 12 min ahead of the controller's clock", for people. */
    public String describe() {
      java.time.Duration d = skew.abs();
      String amount = d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min"
          : d.toMinutes() > 0 ? d.toMinutes() + " min " + d.toSecondsPart() + " s" : d.toSeconds() + " s";
      return amount + (skew.isNegative() ? " behind" : " ahead of") + " the controller's clock"
          + (flagged() ? " (over " + CLOCK_SKEW_FLAG.toMinutes() + " min: the agent's times are not trusted)" : "");
    }
  }

  /**
   * Keeps a report's claimed creation time, and its skew when the claim lies after the receive
   * time (a report cannot be written after it arrived, so that is a fast clock; a claim in the
   * past is just delivery delay, e.g. a spool draining, and says nothing about the clock).
   */
  private static void recordReportClock(StatementCache sql, String hostId, long claimedMs, long receivedMs)
      throws SQLException {
    PreparedStatement ps = sql.prepare("UPDATE hosts SET claimed_last_report_ms = "
        + "MAX(COALESCE(claimed_last_report_ms, ?), ?), "
        + "clock_skew_ms = CASE WHEN ? > 0 THEN ? ELSE clock_skew_ms END, "
        + "clock_skew_seen_ms = CASE WHEN ? > 0 THEN ? ELSE clock_skew_seen_ms END WHERE host_id = ?");
    long skew = claimedMs - receivedMs;
    ps.setLong(1, claimedMs);
    ps.setLong(2, claimedMs);
    ps.setLong(3, skew);
    ps.setLong(4, skew);
    ps.setLong(5, skew);
    ps.setLong(6, receivedMs);
    ps.setString(7, hostId);
    ps.executeUpdate();
  }

  @Override
  public CompletableFuture<Boolean> touch(String hostId, Instant at, Instant claimed) {
    requireNonNull(hostId, "hostId");
    requireNonNull(claimed, "claimed");
    long now = at.toEpochMilli();
    long skew = claimed.toEpochMilli() - now;
    return writes.submit(db -> {
      PreparedStatement ps = writerStatements.prepare("UPDATE hosts SET last_seen_ms = MAX(last_seen_ms, ?), "
          + "clock_skew_ms = ?, clock_skew_seen_ms = ? WHERE host_id = ?");
      ps.setLong(1, now);
      ps.setLong(2, skew);
      ps.setLong(3, now);
      ps.setString(4, hostId);
      return ps.executeUpdate() > 0;
    });
  }

  /** The host's last clock claim; empty when it never made one (or is unknown). */
  public Optional<ClockClaim> clockClaim(String hostId) {
    requireNonNull(hostId, "hostId");
    return read(db -> {
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
  public long reportBytesSince(String hostId, Instant since) {
    requireNonNull(hostId, "hostId");
    return read(db -> {
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

  /** The database's size in bytes (pages in use and free), for /metrics. */
  public long databaseBytes() {
    return read(db -> {
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }
}
