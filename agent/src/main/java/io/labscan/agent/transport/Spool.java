package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.labscan.proto.v1.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable outbox (SQLite). A report enters before it is sent and leaves only
 * when the controller acknowledged it, so an agent restart or a power cut loses nothing
 * that was spooled. The same file keeps the report sequence counter, so sequence numbers
 * never go backwards across restarts.
 */
public final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);
  public static final String FILE_NAME = "spool.db";

  private final Path file;
  private final Connection db;

  private Spool(Path file, Connection db) {
    this.file = file;
    this.db = db;
  }

  public static Spool open(Path stateDir) {
    requireNonNull(stateDir, "stateDir");
    Path file = stateDir.resolve(FILE_NAME);
    try {
      Files.createDirectories(stateDir);
      Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement st = db.createStatement()) {
        st.execute("PRAGMA journal_mode=WAL");
        // FULL: a report the agent considers spooled must survive a power cut.
        st.execute("PRAGMA synchronous=FULL");
        st.execute("PRAGMA busy_timeout=5000");
        st.execute("CREATE TABLE IF NOT EXISTS outbox ("
            + " seq INTEGER PRIMARY KEY,"
            + " report_id TEXT NOT NULL UNIQUE,"
            + " created_ms INTEGER NOT NULL,"
            + " size INTEGER NOT NULL,"
            + " payload BLOB NOT NULL)");
        st.execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
        st.execute("INSERT OR IGNORE INTO counters(name, value) VALUES ('sequence', 0)");
      }
      return new Spool(file, db);
    } catch (Exception e) {
      throw new IllegalStateException("Cannot open the agent spool " + file + ": " + e.getMessage(), e);
    }
  }

  public Path file() {
    return file;
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

  /** Stores a report for sending. Spooling the same report id twice keeps one copy. */
  public synchronized void add(Report report) {
    requireNonNull(report, "report");
    byte[] payload = report.toByteArray();
    try (PreparedStatement ps = db.prepareStatement(
        "INSERT OR IGNORE INTO outbox(seq, report_id, created_ms, size, payload) VALUES (?,?,?,?,?)")) {
      ps.setLong(1, report.getSequence());
      ps.setString(2, report.getReportId());
      ps.setLong(3, System.currentTimeMillis());
      ps.setLong(4, payload.length);
      ps.setBytes(5, payload);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot store report " + report.getReportId()
          + ": " + e.getMessage(), e);
    }
  }

  /** The oldest reports waiting, at most {@code limit}. */
  public synchronized List<Report> oldest(int limit) {
    List<Report> out = new ArrayList<>();
    try (PreparedStatement ps = db.prepareStatement(
        "SELECT report_id, payload FROM outbox ORDER BY seq LIMIT ?")) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          try {
            out.add(Report.parseFrom(rs.getBytes(2)));
          } catch (InvalidProtocolBufferException e) {
            log.warn("Spool {}: dropping unreadable entry {}: {}", file, rs.getString(1), e.getMessage());
            remove(rs.getString(1));
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot read: " + e.getMessage(), e);
    }
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
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM outbox")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Spool " + file + ": cannot count: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      db.close();
    } catch (SQLException e) {
      log.warn("Spool {}: close failed: {}", file, e.getMessage());
    }
  }
}
