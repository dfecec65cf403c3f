package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded SQLite database: one file, WAL journal, one writer thread with batched
 * transactions ({@link WriteQueue}), and one read-only connection that readers take in turn.
 *
 * <p>Commits are {@code synchronous=FULL}: the gRPC service acknowledges a report once its
 * batch committed, and the agent then deletes its copy, so a commit must survive a power cut,
 * not only a crash of the controller (with WAL, {@code NORMAL} may lose the last commits on
 * power loss). Batching keeps that to one fsync per batch.
 *
 * <p>Both connections keep a {@link StatementCache}: the writer's is used on the writer thread
 * only, the reader's under this object's lock (readers run one at a time). A read that fails
 * empties the reader's cache (sqlite-jdbc finalizes a statement whose step failed), as the
 * write queue does for the writer's.
 */
public final class SqliteDatabase implements Database {
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
  private final StatementCache writerStatements;
  private final StatementCache readerStatements;
  private final WriteQueue writes;
  private final int schemaVersion;
  private final Optional<String> writeRefusal;

  private SqliteDatabase(Path file, Connection writer, Connection reader, int schemaVersion,
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
  public static SqliteDatabase open(Path file) {
    requireNonNull(file, "file");
    Path absolute = file.toAbsolutePath();
    try {
      DatabaseFiles.prepare(absolute);
    } catch (java.io.IOException e) {
      throw new StoreException("Cannot create database " + absolute + " (owner-only) or its folder: "
          + e.getMessage(), e);
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
      return new SqliteDatabase(absolute, writer, reader, version, writeRefusal);
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

  /** The database file (absolute). */
  public Path file() {
    return file;
  }

  @Override
  public Dialect dialect() {
    return Dialect.SQLITE;
  }

  @Override
  public String location() {
    return file.toString();
  }

  @Override
  public int schemaVersion() {
    return schemaVersion;
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
          ? Optional.of(Objects.requireNonNullElse(e.getMessage(), "SQLITE_READONLY")) : Optional.empty();
    } finally {
      db.rollback();
      db.setAutoCommit(autoCommit);
    }
  }

  @Override
  public void requireWritable() {
    writeRefusal.ifPresent(why -> {
      throw new StoreException("The database " + file + " is read-only (" + why + "): the controller "
          + "cannot store reports. Make the file and its folder writable, then start again.");
    });
  }

  @Override
  public <T> CompletableFuture<T> write(SqlWork<T> work) {
    requireNonNull(work, "work");
    return writes.submit(work::run);
  }

  @Override
  public <I, T> CompletableFuture<T> writeGrouped(WriteQueue.Group<I, T> group, I item) {
    return writes.submitGrouped(group, item);
  }

  @Override
  public synchronized <T> T read(String what, SqlWork<T> work) {
    requireNonNull(work, "work");
    try {
      return work.run(reader);
    } catch (SQLException e) {
      readerStatements.close(); // a statement whose step failed is finalized: compile them anew
      throw new StoreException("Cannot read " + what + " from " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Statements statements(Connection db) {
    if (db == writer) {
      return writerStatements;
    }
    if (db == reader) {
      return readerStatements;
    }
    throw new IllegalArgumentException("not a connection of " + file);
  }

  /**
   * SQLite's {@code PRAGMA data_version} on the reader connection: it changes whenever another
   * connection (this database's writer, or another process) commits.
   */
  @Override
  public long dataVersion() {
    return read("data version", db -> {
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("PRAGMA data_version")) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  @Override
  public long sizeBytes() {
    return read("database size", db -> {
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
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

  private static void closeQuietly(@Nullable Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }

  @Override
  public String toString() {
    return "SQLite database " + file;
  }
}
