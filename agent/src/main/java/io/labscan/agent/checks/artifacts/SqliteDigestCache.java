package io.labscan.agent.checks.artifacts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The digest cache in SQLite ({@value #FILE_NAME} in the agent's state folder). Writes are
 * batched inside one transaction per scan: a 200,000-file walk costs a few hundred batch
 * executions and a single commit, not 200,000 fsyncs. The cache is disposable, so any
 * database trouble switches caching off for the scan (with a warning) instead of failing it.
 */
final class SqliteDigestCache implements DigestCache {
  static final String FILE_NAME = "artifact-hash-cache.db";
  private static final Logger log = LoggerFactory.getLogger(SqliteDigestCache.class);
  private static final int SCHEMA = 1;
  private static final int BATCH = 500;

  private final Path file;
  private final String root;
  private final Connection db;
  private final long generation;
  private final PreparedStatement select;
  private final PreparedStatement upsert;
  private final PreparedStatement touch;
  private int pendingUpserts;
  private int pendingTouches;
  private boolean broken;
  private boolean finished;

  private SqliteDigestCache(Path file, String root, Connection db) throws SQLException {
    this.file = file;
    this.root = root;
    this.db = db;
    try (Statement st = db.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      // Losing the last batch on a power cut only costs re-hashing: no need to fsync often.
      st.execute("PRAGMA synchronous=NORMAL");
      st.execute("PRAGMA busy_timeout=5000");
      int version;
      try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version != SCHEMA) {
        st.execute("DROP TABLE IF EXISTS files");
        st.execute("DROP TABLE IF EXISTS meta");
        st.execute("PRAGMA user_version=" + SCHEMA);
      }
      st.execute("CREATE TABLE IF NOT EXISTS files ("
          + " path TEXT PRIMARY KEY, root TEXT NOT NULL,"
          + " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, file_id TEXT NOT NULL,"
          + " md5 TEXT, sha1 TEXT, sha256 TEXT,"
          + " body_set TEXT, body_matches TEXT, body_gave_up INTEGER NOT NULL DEFAULT 0,"
          + " generation INTEGER NOT NULL)");
      st.execute("CREATE INDEX IF NOT EXISTS files_by_root ON files(root, generation)");
      st.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      st.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('generation', 0)");
      st.execute("UPDATE meta SET value = value + 1 WHERE name = 'generation'");
      try (ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE name = 'generation'")) {
        rs.next();
        this.generation = rs.getLong(1);
      }
    }
    db.setAutoCommit(false);
    select = db.prepareStatement("SELECT size, mtime_ns, file_id, md5, sha1, sha256,"
        + " body_set, body_matches, body_gave_up FROM files WHERE path = ?");
    upsert = db.prepareStatement("INSERT OR REPLACE INTO files(path, root, size, mtime_ns, file_id,"
        + " md5, sha1, sha256, body_set, body_matches, body_gave_up, generation)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    touch = db.prepareStatement("UPDATE files SET generation = ? WHERE path = ?");
  }

  /**
   * Opens (or creates) the cache for scans of {@code root}. A cache that cannot be opened is
   * deleted and created afresh once; if that fails too, the scan runs without a cache.
   */
  static DigestCache open(Path stateDir, String root) {
    Path file = stateDir.resolve(FILE_NAME);
    for (int attempt = 1; attempt <= 2; attempt++) {
      Connection db = null;
      try {
        Files.createDirectories(stateDir);
        db = DriverManager.getConnection("jdbc:sqlite:" + file);
        return new SqliteDigestCache(file, root, db);
      } catch (SQLException | IOException | RuntimeException e) {
        closeQuietly(db);
        log.warn("Artifact hash cache {} unusable ({}){}", file, e.getMessage(),
            attempt == 1 ? "; recreating it." : "; scanning without a cache.");
        if (attempt == 1) {
          deleteQuietly(file);
        }
      }
    }
    return DigestCache.none();
  }

  @Override
  public Optional<FileFacts> lookup(FileKey key) {
    if (broken) {
      return Optional.empty();
    }
    try {
      select.setString(1, key.path());
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next() || rs.getLong(1) != key.size() || rs.getLong(2) != key.mtimeNanos()
            || !rs.getString(3).equals(key.fileId())) {
          return Optional.empty();
        }
        Map<HashAlgorithm, String> digests = new EnumMap<>(HashAlgorithm.class);
        put(digests, HashAlgorithm.MD5, rs.getString(4));
        put(digests, HashAlgorithm.SHA1, rs.getString(5));
        put(digests, HashAlgorithm.SHA256, rs.getString(6));
        Optional<BodyVerdict> body = Optional.empty();
        String set = rs.getString(7);
        if (set != null) {
          String matches = rs.getString(8);
          List<String> names = matches == null || matches.isEmpty() ? List.of() : List.of(matches.split("\n"));
          body = Optional.of(new BodyVerdict(set, names, rs.getInt(9) != 0));
        }
        return Optional.of(new FileFacts(digests, body));
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
      return Optional.empty();
    }
  }

  @Override
  public void store(FileKey key, FileFacts facts) {
    if (broken) {
      return;
    }
    try {
      upsert.setString(1, key.path());
      upsert.setString(2, root);
      upsert.setLong(3, key.size());
      upsert.setLong(4, key.mtimeNanos());
      upsert.setString(5, key.fileId());
      upsert.setString(6, facts.digests().get(HashAlgorithm.MD5));
      upsert.setString(7, facts.digests().get(HashAlgorithm.SHA1));
      upsert.setString(8, facts.digests().get(HashAlgorithm.SHA256));
      upsert.setString(9, facts.body().map(BodyVerdict::signaturesDigest).orElse(null));
      upsert.setString(10, facts.body().map(b -> String.join("\n", b.matched())).orElse(null));
      upsert.setInt(11, facts.body().map(b -> b.gaveUp() ? 1 : 0).orElse(0));
      upsert.setLong(12, generation);
      upsert.addBatch();
      if (++pendingUpserts >= BATCH) {
        upsert.executeBatch();
        pendingUpserts = 0;
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void keep(FileKey key) {
    if (broken) {
      return;
    }
    try {
      touch.setLong(1, generation);
      touch.setString(2, key.path());
      touch.addBatch();
      if (++pendingTouches >= BATCH) {
        touch.executeBatch();
        pendingTouches = 0;
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void finish(boolean walkComplete) {
    if (broken || finished) {
      return;
    }
    finished = true;
    try {
      flush();
      if (walkComplete) {
        try (PreparedStatement prune = db.prepareStatement(
            "DELETE FROM files WHERE root = ? AND generation < ?")) {
          prune.setString(1, root);
          prune.setLong(2, generation);
          prune.executeUpdate();
        }
      }
      db.commit();
    } catch (SQLException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void close() {
    // A scan that stopped early still keeps the digests it computed.
    finish(false);
    closeQuietly(db);
  }

  private void flush() throws SQLException {
    if (pendingUpserts > 0) {
      upsert.executeBatch();
      pendingUpserts = 0;
    }
    if (pendingTouches > 0) {
      touch.executeBatch();
      pendingTouches = 0;
    }
  }

  private void fail(Exception e) {
    if (!broken) {
      log.warn("Artifact hash cache {} failed ({}); continuing without it.", file, e.getMessage());
    }
    broken = true;
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // already reported
    }
  }

  private static void put(Map<HashAlgorithm, String> digests, HashAlgorithm algorithm, String hex) {
    if (hex != null && hex.length() == algorithm.hexLength()) {
      digests.put(algorithm, hex);
    }
  }

  private static void closeQuietly(Connection db) {
    if (db != null) {
      try {
        db.close();
      } catch (SQLException ignored) {
        // nothing more to do
      }
    }
  }

  private static void deleteQuietly(Path file) {
    for (String suffix : List.of("", "-wal", "-shm")) {
      try {
        Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
      } catch (IOException ignored) {
        // the second attempt will say so
      }
    }
  }

  @Override
  public String toString() {
    return "SqliteDigestCache[" + file + ", generation " + generation + "]";
  }
}
