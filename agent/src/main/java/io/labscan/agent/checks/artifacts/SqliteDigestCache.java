package io.labscan.agent.checks.artifacts;

import io.labscan.agent.state.PrivateFiles;
import io.labscan.contract.rules.HashAlgorithm;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * The digest cache in SQLite ({@value #FILE_NAME} in the agent's state folder).
 *
 * <p>Rescans are the common case, so reading is set-wise: at a folder's first lookup, all of
 * its entries come in one indexed range query ({@code root, folder} is the key's prefix) and
 * are compared in memory; an entry found unchanged costs no write at all. When the folder is
 * done, entries the scan did not use are deleted by name (usually none). Folders remember
 * the scan that last used them (one row per folder, not per file), so after a complete walk
 * the entries of folders that are gone or no longer used go in two statements.
 *
 * <p>Memory stays bounded: a folder with more than {@code maxFolderRows} entries is not
 * loaded; its files are looked up one at a time and marked used by a per-entry scan
 * generation (the slower way, for the rare huge folder).
 *
 * <p>Writes are batched inside one transaction per scan: a 200,000-file first scan costs a
 * few hundred batch executions and a single commit, not 200,000 fsyncs. The cache is
 * disposable, so any database trouble switches caching off for the scan (with a warning)
 * instead of failing it.
 */
final class SqliteDigestCache implements DigestCache {
  static final String FILE_NAME = "artifact-hash-cache.db";
  /** About 4 MiB of rows in memory at most. */
  static final int MAX_FOLDER_ROWS = 10_000;
  private static final Logger log = LoggerFactory.getLogger(SqliteDigestCache.class);
  private static final int SCHEMA = 3;
  private static final int BATCH = 500;
  /**
   * Most entries hold only a SHA-256; {@code more} says whether the rest is worth reading
   * (every column read is a JNI call, and a rescan reads a row per file).
   */
  private static final String COLUMNS = "size, mtime_ns, ctime_ns, file_id, sha256,"
      + " md5 IS NOT NULL OR sha1 IS NOT NULL OR body_set IS NOT NULL AS more,"
      + " md5, sha1, body_set, body_matches, body_gave_up";

  private final Path file;
  private final String root;
  private final Connection db;
  private final int maxFolderRows;
  private final long generation;
  private final PreparedStatement selectFolder;
  private final PreparedStatement selectOne;
  private final PreparedStatement upsert;
  private final PreparedStatement touch;
  private final PreparedStatement forget;
  private final PreparedStatement folderSeen;
  private final PreparedStatement pruneFolder;
  private final PreparedStatement selectRecord;
  private final PreparedStatement saveRecord;
  private final PreparedStatement forgetRecord;
  private final PreparedStatement reuseRecord;
  private int pendingRecords;
  private int pendingForgetRecords;
  private int pendingReuses;
  private int pendingUpserts;
  private int pendingTouches;
  private int pendingForgets;
  private int pendingFolders;
  private boolean broken;
  private boolean finished;

  /** The folder whose lookups are under way, and its entries not yet looked up (null: one at a time). */
  private @Nullable String current;
  private @Nullable Map<String, Row> unused;

  /** One cached entry, as stored. */
  private record Row(long size, long mtimeNanos, long ctimeNanos, String fileId, @Nullable String md5,
      @Nullable String sha1, String sha256, @Nullable String bodySet, @Nullable String bodyMatches,
      boolean bodyGaveUp) {

    /** The row at {@code rs}, whose {@link #COLUMNS} start at column {@code first}. */
    static Row read(ResultSet rs, int first) throws SQLException {
      long size = rs.getLong(first);
      long mtime = rs.getLong(first + 1);
      long ctime = rs.getLong(first + 2);
      String fileId = rs.getString(first + 3);
      String sha256 = rs.getString(first + 4);
      if (rs.getInt(first + 5) == 0) {
        return new Row(size, mtime, ctime, fileId, null, null, sha256, null, null, false);
      }
      return new Row(size, mtime, ctime, fileId, rs.getString(first + 6), rs.getString(first + 7), sha256,
          rs.getString(first + 8), rs.getString(first + 9), rs.getInt(first + 10) != 0);
    }

    boolean describes(FileKey key) {
      return size == key.size() && mtimeNanos == key.mtimeNanos() && ctimeNanos == key.ctimeNanos()
          && key.fileId().equals(fileId);
    }

    FileFacts facts() {
      Map<HashAlgorithm, String> digests = new EnumMap<>(HashAlgorithm.class);
      put(digests, HashAlgorithm.MD5, md5);
      put(digests, HashAlgorithm.SHA1, sha1);
      put(digests, HashAlgorithm.SHA256, sha256);
      Optional<BodyVerdict> body = Optional.empty();
      if (bodySet != null) {
        List<String> names = bodyMatches == null || bodyMatches.isEmpty()
            ? List.of() : List.of(bodyMatches.split("\n"));
        body = Optional.of(new BodyVerdict(bodySet, names, bodyGaveUp));
      }
      return new FileFacts(digests, body);
    }
  }

  private SqliteDigestCache(Path file, String root, Connection db, int maxFolderRows) throws SQLException {
    this.file = file;
    this.root = root;
    this.db = db;
    this.maxFolderRows = maxFolderRows;
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
        // Schema 1 keyed entries by absolute path, 2 had no folder outcomes; a disposable
        // cache is simply started afresh.
        st.execute("DROP TABLE IF EXISTS files");
        st.execute("DROP TABLE IF EXISTS folders");
        st.execute("DROP TABLE IF EXISTS meta");
        st.execute("PRAGMA user_version=" + SCHEMA);
      }
      // WITHOUT ROWID: a folder's entries sit together in the key's order, read in one range.
      st.execute("CREATE TABLE IF NOT EXISTS files ("
          + " root TEXT NOT NULL, folder TEXT NOT NULL, name TEXT NOT NULL,"
          + " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL DEFAULT 0,"
          + " file_id TEXT NOT NULL,"
          + " md5 TEXT, sha1 TEXT, sha256 TEXT,"
          + " body_set TEXT, body_matches TEXT, body_gave_up INTEGER NOT NULL DEFAULT 0,"
          + " generation INTEGER NOT NULL,"
          + " PRIMARY KEY (root, folder, name)) WITHOUT ROWID");
      // A folder's outcome under a change journal (epoch .. outcome) sits with its generation,
      // so a vanished folder's outcome goes with it.
      st.execute("CREATE TABLE IF NOT EXISTS folders ("
          + " root TEXT NOT NULL, folder TEXT NOT NULL, generation INTEGER NOT NULL,"
          + " epoch INTEGER, position INTEGER, handle BLOB, fingerprint TEXT, outcome BLOB,"
          + " PRIMARY KEY (root, folder)) WITHOUT ROWID");
      st.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      st.execute("INSERT OR IGNORE INTO meta(name, value) VALUES ('generation', 0)");
      st.execute("UPDATE meta SET value = value + 1 WHERE name = 'generation'");
      try (ResultSet rs = st.executeQuery("SELECT value FROM meta WHERE name = 'generation'")) {
        rs.next();
        this.generation = rs.getLong(1);
      }
    }
    db.setAutoCommit(false);
    selectFolder = db.prepareStatement("SELECT name, " + COLUMNS + " FROM files WHERE root = ? AND folder = ? LIMIT ?");
    selectOne = db.prepareStatement("SELECT " + COLUMNS + " FROM files WHERE root = ? AND folder = ? AND name = ?");
    upsert = db.prepareStatement("INSERT OR REPLACE INTO files(root, folder, name, size, mtime_ns, file_id,"
        + " md5, sha1, sha256, body_set, body_matches, body_gave_up, generation, ctime_ns)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    touch = db.prepareStatement("UPDATE files SET generation = ? WHERE root = ? AND folder = ? AND name = ?");
    forget = db.prepareStatement("DELETE FROM files WHERE root = ? AND folder = ? AND name = ?");
    // An upsert, not INSERT OR REPLACE: that would wipe the folder's recorded outcome.
    folderSeen = db.prepareStatement("INSERT INTO folders(root, folder, generation) VALUES (?, ?, ?)"
        + " ON CONFLICT(root, folder) DO UPDATE SET generation = excluded.generation");
    selectRecord = db.prepareStatement("SELECT epoch, position, handle, fingerprint, outcome FROM folders"
        + " WHERE root = ? AND folder = ? AND outcome IS NOT NULL");
    saveRecord = db.prepareStatement("INSERT INTO folders(root, folder, generation, epoch, position, handle,"
        + " fingerprint, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(root, folder) DO UPDATE SET"
        + " generation = excluded.generation, epoch = excluded.epoch, position = excluded.position,"
        + " handle = excluded.handle, fingerprint = excluded.fingerprint, outcome = excluded.outcome");
    forgetRecord = db.prepareStatement("UPDATE folders SET epoch = NULL, position = NULL, handle = NULL,"
        + " fingerprint = NULL, outcome = NULL WHERE root = ? AND folder = ?");
    reuseRecord = db.prepareStatement("UPDATE folders SET generation = ?, position = ? WHERE root = ? AND folder = ?");
    pruneFolder = db.prepareStatement("DELETE FROM files WHERE root = ? AND folder = ? AND generation < ?");
  }

  /**
   * Opens (or creates) the cache for scans of {@code root}. A cache that cannot be opened is
   * deleted and created afresh once; if that fails too, the scan runs without a cache.
   */
  static DigestCache open(Path stateDir, String root) {
    return open(stateDir, root, MAX_FOLDER_ROWS);
  }

  static DigestCache open(Path stateDir, String root, int maxFolderRows) {
    Path file = stateDir.resolve(FILE_NAME);
    for (int attempt = 1; attempt <= 2; attempt++) {
      Connection db = null;
      try {
        PrivateFiles.database(file);
        db = DriverManager.getConnection("jdbc:sqlite:" + file);
        return new SqliteDigestCache(file, root, db, maxFolderRows);
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
      enter(key.folder());
      Row row;
      if (unused != null) {
        row = unused.remove(key.name()); // looked up: whatever happens next, it is not unused
      } else {
        row = null;
        selectOne.setString(1, root);
        selectOne.setString(2, key.folder());
        selectOne.setString(3, key.name());
        try (ResultSet rs = selectOne.executeQuery()) {
          if (rs.next()) {
            row = Row.read(rs, 1);
          }
        }
      }
      return row != null && row.describes(key) ? Optional.of(row.facts()) : Optional.empty();
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
      enter(key.folder());
      if (unused != null) {
        unused.remove(key.name());
      }
      upsert.setString(1, root);
      upsert.setString(2, key.folder());
      upsert.setString(3, key.name());
      upsert.setLong(4, key.size());
      upsert.setLong(5, key.mtimeNanos());
      upsert.setString(6, key.fileId());
      upsert.setString(7, facts.digests().get(HashAlgorithm.MD5));
      upsert.setString(8, facts.digests().get(HashAlgorithm.SHA1));
      upsert.setString(9, facts.digests().get(HashAlgorithm.SHA256));
      upsert.setString(10, facts.body().map(BodyVerdict::signaturesDigest).orElse(null));
      upsert.setString(11, facts.body().map(b -> String.join("\n", b.matched())).orElse(null));
      upsert.setInt(12, facts.body().map(b -> b.gaveUp() ? 1 : 0).orElse(0));
      upsert.setLong(13, generation);
      upsert.setLong(14, key.ctimeNanos());
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
      enter(key.folder());
      if (unused != null) {
        return; // a loaded folder knows what was used without writing it down
      }
      touch.setLong(1, generation);
      touch.setString(2, root);
      touch.setString(3, key.folder());
      touch.setString(4, key.name());
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
  public Optional<FolderRecord> folderRecord(String folder) {
    if (broken) {
      return Optional.empty();
    }
    try {
      selectRecord.setString(1, root);
      selectRecord.setString(2, folder);
      try (ResultSet rs = selectRecord.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        byte[] handle = rs.getBytes(3);
        String fingerprint = rs.getString(4);
        byte[] outcome = rs.getBytes(5);
        if (handle == null || fingerprint == null || outcome == null) {
          return Optional.empty();
        }
        return Optional.of(new FolderRecord(rs.getLong(1), rs.getLong(2), handle, fingerprint, outcome));
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
      return Optional.empty();
    }
  }

  @Override
  public void saveFolderRecord(String folder, FolderRecord record) {
    if (broken) {
      return;
    }
    try {
      saveRecord.setString(1, root);
      saveRecord.setString(2, folder);
      saveRecord.setLong(3, generation);
      saveRecord.setLong(4, record.epoch());
      saveRecord.setLong(5, record.position());
      saveRecord.setBytes(6, record.handle());
      saveRecord.setString(7, record.fingerprint());
      saveRecord.setBytes(8, record.outcome());
      saveRecord.addBatch();
      if (++pendingRecords >= BATCH) {
        saveRecord.executeBatch();
        pendingRecords = 0;
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void forgetFolderRecord(String folder) {
    if (broken) {
      return;
    }
    try {
      forgetRecord.setString(1, root);
      forgetRecord.setString(2, folder);
      forgetRecord.addBatch();
      if (++pendingForgetRecords >= BATCH) {
        forgetRecord.executeBatch();
        pendingForgetRecords = 0;
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void reused(String folder, long position) {
    if (broken) {
      return;
    }
    try {
      reuseRecord.setLong(1, generation);
      reuseRecord.setLong(2, position);
      reuseRecord.setString(3, root);
      reuseRecord.setString(4, folder);
      reuseRecord.addBatch();
      if (++pendingReuses >= BATCH) {
        reuseRecord.executeBatch();
        pendingReuses = 0;
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
    }
  }

  @Override
  public void folderDone(String folder, boolean listedCompletely) {
    if (broken || !folder.equals(current)) {
      return; // no lookup in it: nothing loaded, and finish() handles what it held
    }
    try {
      if (listedCompletely) {
        if (unused != null) {
          for (String name : unused.keySet()) {
            forget.setString(1, root);
            forget.setString(2, folder);
            forget.setString(3, name);
            forget.addBatch();
            if (++pendingForgets >= BATCH) {
              forget.executeBatch();
              pendingForgets = 0;
            }
          }
        } else {
          flush(); // the generations written for this folder must be in before the prune
          pruneFolder.setString(1, root);
          pruneFolder.setString(2, folder);
          pruneFolder.setLong(3, generation);
          pruneFolder.executeUpdate();
        }
      }
    } catch (SQLException | RuntimeException e) {
      fail(e);
    } finally {
      current = null;
      unused = null;
    }
  }

  /** Makes {@code folder} the current one: records that this scan used it, loads its entries. */
  private void enter(String folder) throws SQLException {
    if (folder.equals(current)) {
      return;
    }
    // A walk that came back to an earlier folder (not ours) loses only the unused-entry
    // bookkeeping of the one it left: nothing is deleted on its account.
    current = folder;
    unused = null;
    folderSeen.setString(1, root);
    folderSeen.setString(2, folder);
    folderSeen.setLong(3, generation);
    folderSeen.addBatch();
    if (++pendingFolders >= BATCH) {
      folderSeen.executeBatch();
      pendingFolders = 0;
    }
    Map<String, Row> rows = new HashMap<>(256);
    selectFolder.setString(1, root);
    selectFolder.setString(2, folder);
    selectFolder.setInt(3, maxFolderRows + 1);
    try (ResultSet rs = selectFolder.executeQuery()) {
      while (rs.next()) {
        if (rows.size() == maxFolderRows) {
          return; // too many to hold: this folder is looked up one file at a time
        }
        rows.put(rs.getString(1), Row.read(rs, 2));
      }
    }
    unused = rows;
  }

  @Override
  public boolean finish(boolean walkComplete) {
    if (broken || finished) {
      return !broken;
    }
    finished = true;
    try {
      flush();
      if (walkComplete) {
        try (PreparedStatement files = db.prepareStatement("DELETE FROM files WHERE root = ? AND folder IN"
                + " (SELECT folder FROM folders WHERE root = ? AND generation < ?)");
            PreparedStatement folders = db.prepareStatement(
                "DELETE FROM folders WHERE root = ? AND generation < ?")) {
          files.setString(1, root);
          files.setString(2, root);
          files.setLong(3, generation);
          files.executeUpdate();
          folders.setString(1, root);
          folders.setLong(2, generation);
          folders.executeUpdate();
        }
      }
      db.commit();
    } catch (SQLException | RuntimeException e) {
      fail(e);
    }
    return !broken;
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
    if (pendingForgets > 0) {
      forget.executeBatch();
      pendingForgets = 0;
    }
    if (pendingFolders > 0) {
      folderSeen.executeBatch();
      pendingFolders = 0;
    }
    if (pendingRecords > 0) {
      saveRecord.executeBatch();
      pendingRecords = 0;
    }
    if (pendingForgetRecords > 0) {
      forgetRecord.executeBatch();
      pendingForgetRecords = 0;
    }
    if (pendingReuses > 0) {
      reuseRecord.executeBatch();
      pendingReuses = 0;
    }
  }

  private void fail(Exception e) {
    if (!broken) {
      log.warn("Artifact hash cache {} failed ({}); continuing without it.", file, e.getMessage());
    }
    broken = true;
    unused = null;
    try {
      db.rollback();
    } catch (SQLException ignored) {
      // already reported
    }
  }

  private static void put(Map<HashAlgorithm, String> digests, HashAlgorithm algorithm, @Nullable String hex) {
    if (hex != null && hex.length() == algorithm.hexLength()) {
      digests.put(algorithm, hex);
    }
  }

  private static void closeQuietly(@Nullable Connection db) {
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
