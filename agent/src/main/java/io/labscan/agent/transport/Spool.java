package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.state.PrivateFiles;
import com.google.protobuf.InvalidProtocolBufferException;
import io.labscan.proto.v1.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.sqlite.SQLiteConfig;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable outbox (SQLite). A report enters before it is sent and leaves only
 * when the controller acknowledged it, so an agent restart or a power cut loses nothing
 * that was spooled. The same file keeps the report sequence counter, so sequence numbers
 * never go backwards across restarts.
 *
 * <p>The outbox is bounded ({@link Limits}): a machine cut off from its controller for weeks
 * must not fill its disk. When a bound is exceeded the oldest reports are evicted; the
 * number evicted is counted durably and travels to the controller in the next scan report,
 * as {@code scan.skipped["spool-evicted"]}, so the gap in the evidence is visible there.
 *
 * <p>A spool file that is not a SQLite database, or fails {@code PRAGMA quick_check}, is
 * moved aside ({@code spool.db.corrupt-<time>}) and a fresh one started: a damaged outbox
 * must not keep the agent in a crash loop.
 */
public final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  public static final String FILE_NAME = "spool.db";
  /** Key in {@code ScanSummary.skipped} carrying the number of reports evicted unsent. */
  public static final String EVICTED_KEY = "spool-evicted";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Bounds of the outbox. */
  public record Limits(long maxBytes, Duration maxAge) {
    public Limits {
      requireNonNull(maxAge, "maxAge");
      if (maxBytes <= 0 || maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("spool limits must be positive");
      }
    }

    /** 64 MiB and 14 days: weeks of nightly reports, and a disk nobody notices it using. */
    public static Limits defaults() {
      return new Limits(64L * 1024 * 1024, Duration.ofDays(14));
    }
  }

  private final Path file;
  private final Connection db;
  private final Limits limits;
  private final Clock clock;

  private Spool(Path file, Connection db, Limits limits, Clock clock) {
    this.file = file;
    this.db = db;
    this.limits = limits;
    this.clock = clock;
  }

  public static Spool open(Path stateDir) {
    return open(stateDir, Limits.defaults(), Clock.systemUTC());
  }

  public static Spool open(Path stateDir, Limits limits, Clock clock) {
    requireNonNull(stateDir, "stateDir");
    requireNonNull(limits, "limits");
    requireNonNull(clock, "clock");
    Path file = stateDir.resolve(FILE_NAME);
    try {
      PrivateFiles.folder(stateDir);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot create the agent state folder " + stateDir + ": " + e.getMessage(), e);
    }
    boolean restarted = false;
    Connection db;
    try {
      db = connect(file);
    } catch (SQLException damaged) {
      Path aside = moveAside(file, clock, damaged);
      log.warn("Agent spool {} is damaged ({}); moved it to {} and started a fresh one. Reports it held "
          + "were not delivered.", file, damaged.getMessage(), aside);
      restarted = true;
      try {
        db = connect(file);
      } catch (SQLException e) {
        throw new IllegalStateException("Cannot open the agent spool " + file + ": " + e.getMessage(), e);
      }
    }
    try {
      initialise(db, restarted ? clock.millis() : 0);
      Spool spool = new Spool(file, db, limits, clock);
      spool.evictAndCount();
      return spool;
    } catch (SQLException e) {
      closeQuietly(db);
      throw new IllegalStateException("Cannot open the agent spool " + file + ": " + e.getMessage(), e);
    }
  }

  /** Opens the file and proves it is a sound SQLite database. */
  private static Connection connect(Path file) throws SQLException {
    try {
      PrivateFiles.database(file);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot make the agent spool " + file + " private: " + e.getMessage(), e);
    }
    Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement st = db.createStatement()) {
      try (ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
        String verdict = rs.next() ? rs.getString(1) : "no answer";
        if (!"ok".equalsIgnoreCase(verdict)) {
          throw new SQLException("quick_check: " + verdict);
        }
      }
      st.execute("PRAGMA journal_mode=WAL");
      // FULL: a report the agent considers spooled must survive a power cut.
      st.execute("PRAGMA synchronous=FULL");
      st.execute("PRAGMA busy_timeout=5000");
      return db;
    } catch (SQLException e) {
      closeQuietly(db);
      throw e;
    }
  }

  /**
   * Creates the tables. {@code sequenceFloor} > 0 after a damaged spool was replaced: the
   * counter restarts at the current epoch milliseconds, far above any sequence an agent
   * reaches by counting, so sequence numbers still never go backwards.
   */
  private static void initialise(Connection db, long sequenceFloor) throws SQLException {
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS outbox ("
          + " seq INTEGER PRIMARY KEY,"
          + " report_id TEXT NOT NULL UNIQUE,"
          + " created_ms INTEGER NOT NULL,"
          + " size INTEGER NOT NULL,"
          + " payload BLOB NOT NULL)");
      if (!hasColumn(db, "outbox", "carried_evictions")) {
        // Evictions this report tells the controller about; handed back if it is evicted too.
        st.execute("ALTER TABLE outbox ADD COLUMN carried_evictions INTEGER NOT NULL DEFAULT 0");
      }
      st.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      st.execute("INSERT OR IGNORE INTO counters(name, value) VALUES ('sequence', " + sequenceFloor + ")");
      st.execute("INSERT OR IGNORE INTO counters(name, value) VALUES ('evicted_total', 0)");
      st.execute("INSERT OR IGNORE INTO counters(name, value) VALUES ('evicted_unreported', 0)");
    }
  }

  private static boolean hasColumn(Connection db, String table, String column) throws SQLException {
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
      while (rs.next()) {
        if (column.equals(rs.getString("name"))) {
          return true;
        }
      }
    }
    return false;
  }

  /** Moves a damaged spool (and its WAL and shared-memory files) out of the way. */
  private static Path moveAside(Path file, Clock clock, SQLException why) {
    String suffix = ".corrupt-" + STAMP.format(clock.instant());
    Path aside = file.resolveSibling(file.getFileName() + suffix);
    try {
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      for (String companion : List.of("-wal", "-shm")) {
        Path c = file.resolveSibling(file.getFileName() + companion);
        if (Files.exists(c)) {
          Files.move(c, c.resolveSibling(c.getFileName() + suffix), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return aside;
    } catch (IOException e) {
      IllegalStateException failure = new IllegalStateException("The agent spool " + file + " is damaged ("
          + why.getMessage() + ") and cannot be moved aside: " + e.getMessage(), e);
      failure.addSuppressed(why);
      throw failure;
    }
  }

  public Path file() {
    return file;
  }

  public Limits limits() {
    return limits;
  }

  /** Hands out the next report sequence number, durably. */
  public synchronized long nextSequence() {
    try (PreparedStatement ps = db.prepareStatement(
        "UPDATE counters SET value = value + 1 WHERE name = 'sequence' RETURNING value");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot advance the sequence: " + e.getMessage(), e);
    }
  }

  /**
   * Stores a report for sending, then enforces the bounds. Spooling the same report id twice
   * keeps one copy. A scan report also carries the evictions not yet told to the controller;
   * the report as stored is returned.
   */
  public synchronized Report add(Report report) {
    requireNonNull(report, "report");
    try {
      db.setAutoCommit(false);
      try {
        long unreported = report.hasScan() ? counter("evicted_unreported") : 0;
        Report stored = unreported == 0 ? report : withEvictions(report, unreported);
        byte[] payload = stored.toByteArray();
        int inserted;
        try (PreparedStatement ps = db.prepareStatement("INSERT OR IGNORE INTO outbox(seq, report_id, created_ms, "
            + "size, payload, carried_evictions) VALUES (?,?,?,?,?,?)")) {
          ps.setLong(1, stored.getSequence());
          ps.setString(2, stored.getReportId());
          ps.setLong(3, clock.millis());
          ps.setLong(4, payload.length);
          ps.setBytes(5, payload);
          ps.setLong(6, unreported);
          inserted = ps.executeUpdate();
        }
        if (inserted > 0 && unreported > 0) {
          addToCounter("evicted_unreported", -unreported);
        }
        Eviction eviction = evict();
        db.commit();
        eviction.log(file, limits);
        return inserted > 0 ? stored : report;
      } catch (SQLException | RuntimeException e) {
        db.rollback();
        throw e;
      } finally {
        db.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot store report " + report.getReportId()
          + ": " + e.getMessage(), e);
    }
  }

  private static Report withEvictions(Report report, long evicted) {
    var scan = report.getScan().toBuilder();
    scan.putSkipped(EVICTED_KEY, scan.getSkippedOrDefault(EVICTED_KEY, 0) + evicted);
    return report.toBuilder().setScan(scan).build();
  }

  /** Evicts what is over the bounds now (also run at open: reports age while the agent is off). */
  private void evictAndCount() throws SQLException {
    db.setAutoCommit(false);
    try {
      Eviction eviction = evict();
      db.commit();
      eviction.log(file, limits);
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(true);
    }
  }

  private record Eviction(long byAge, long bySize, long bytes) {
    void log(Path file, Limits limits) {
      if (byAge > 0) {
        log.warn("Spool {}: evicted {} unsent report(s) older than {} days.", file, byAge, limits.maxAge().toDays());
      }
      if (bySize > 0) {
        log.warn("Spool {}: evicted {} oldest unsent report(s) ({} bytes) to stay within {} bytes.", file, bySize,
            bytes, limits.maxBytes());
      }
    }
  }

  /** Deletes reports past the age bound, then the oldest ones past the size bound; counts them. */
  private Eviction evict() throws SQLException {
    long cutoff = clock.millis() - limits.maxAge().toMillis();
    String tooOld = "created_ms < " + cutoff;
    // Keep the newest reports whose sizes add up to at most maxBytes; the rest is the oldest excess.
    String tooBig = "seq IN (SELECT seq FROM (SELECT seq, SUM(size) OVER (ORDER BY seq DESC) AS newer "
        + "FROM outbox) WHERE newer > " + limits.maxBytes() + ")";
    long[] age = deleteWhere(tooOld);
    long[] size = deleteWhere(tooBig);
    long evicted = age[0] + size[0];
    if (evicted > 0) {
      addToCounter("evicted_total", evicted);
      // Evicted reports take the counts they carried with them: hand those back too.
      addToCounter("evicted_unreported", evicted + age[1] + size[1]);
    }
    return new Eviction(age[0], size[0], size[2]);
  }

  /** Deletes matching rows; returns {rows, evictions they carried, bytes}. */
  private long[] deleteWhere(String condition) throws SQLException {
    long[] found = new long[3];
    try (Statement st = db.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(SUM(carried_evictions), 0), "
          + "COALESCE(SUM(size), 0) FROM outbox WHERE " + condition)) {
        rs.next();
        found[0] = rs.getLong(1);
        found[1] = rs.getLong(2);
        found[2] = rs.getLong(3);
      }
      if (found[0] > 0) {
        st.executeUpdate("DELETE FROM outbox WHERE " + condition);
      }
    }
    return found;
  }

  private long counter(String name) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("SELECT value FROM counters WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  private void addToCounter(String name, long delta) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement("UPDATE counters SET value = value + ? WHERE name = ?")) {
      ps.setLong(1, delta);
      ps.setString(2, name);
      ps.executeUpdate();
    }
  }

  /** Reports evicted unsent over the spool's lifetime (survives restarts). */
  public synchronized long evictedTotal() {
    try {
      return counter("evicted_total");
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot read counters: " + e.getMessage(), e);
    }
  }

  /** Evictions not yet carried by a spooled report. */
  public synchronized long evictedUnreported() {
    try {
      return counter("evicted_unreported");
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot read counters: " + e.getMessage(), e);
    }
  }

  /** The oldest reports waiting, at most {@code limit}. */
  public synchronized List<Report> oldest(int limit) {
    List<Report> out = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT report_id, payload FROM outbox ORDER BY seq LIMIT ?")) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          try {
            out.add(Report.parseFrom(rs.getBytes(2)));
          } catch (InvalidProtocolBufferException e) {
            log.warn("Spool {}: dropping unreadable entry {}: {}", file, rs.getString(1), e.getMessage());
            unreadable.add(rs.getString(1));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot read: " + e.getMessage(), e);
    }
    unreadable.forEach(this::remove);
    return out;
  }

  public Optional<Report> oldest() {
    List<Report> one = oldest(1);
    return one.isEmpty() ? Optional.empty() : Optional.of(one.get(0));
  }

  /** Removes an acknowledged report. */
  public synchronized void remove(String reportId) {
    try (PreparedStatement ps = db.prepareStatement("DELETE FROM outbox WHERE report_id = ?")) {
      ps.setString(1, reportId);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot remove " + reportId + ": " + e.getMessage(), e);
    }
  }

  public synchronized long size() {
    return single("SELECT COUNT(*) FROM outbox");
  }

  /** Bytes of report payload waiting. */
  public synchronized long bytes() {
    return single("SELECT COALESCE(SUM(size), 0) FROM outbox");
  }

  private long single(String sql) {
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot count: " + e.getMessage(), e);
    }
  }

  /** What waits in a spool, read without changing it (the agent may be running). */
  public record Backlog(long reports, long bytes, Optional<Instant> oldest) {}

  /**
   * The backlog of the spool in {@code stateDir}, opened read-only: nothing is created, moved
   * aside or evicted. Empty when there is no spool file.
   */
  public static Optional<Backlog> peek(Path stateDir) {
    Path file = stateDir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
        Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*), COALESCE(SUM(size), 0), MIN(created_ms) FROM outbox")) {
      rs.next();
      long oldest = rs.getLong(3);
      return Optional.of(new Backlog(rs.getLong(1), rs.getLong(2),
          rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(oldest))));
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    closeQuietly(db);
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.warn("Spool: close failed: {}", e.getMessage());
    }
  }
}
