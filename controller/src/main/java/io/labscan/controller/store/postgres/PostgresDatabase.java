package io.labscan.controller.store.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.labscan.controller.store.Database;
import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.Dialect;
import io.labscan.controller.store.SqlWork;
import io.labscan.controller.store.StatementCache;
import io.labscan.controller.store.Statements;
import io.labscan.controller.store.StoreException;
import io.labscan.controller.store.WriteQueue;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL database for the controller ({@link Database}): HikariCP pools of connections
 * from the official JDBC driver, migrated to this build's schema version when opened.
 *
 * <h2>Writes</h2>
 * The same {@link WriteQueue} as SQLite's: one writer thread per controller on one connection,
 * up to {@code WriteQueue.MAX_BATCH} units of work per transaction, each inside its own
 * savepoint, so a failing unit fails alone (PostgreSQL aborts the whole transaction on an error;
 * {@code ROLLBACK TO SAVEPOINT} brings it back) and the batch shares one commit. Why one writer
 * when PostgreSQL takes many: the repositories' units of work were written for serialised
 * writes (read a row, then write what follows from it) and stay correct only so within a
 * controller; batching is also what makes the commit cost (one WAL flush) per batch, not per
 * report. Several controllers on one database each have their writer; what must not interleave
 * between controllers is guarded by unique keys in the schema ({@code ON CONFLICT}), not by the
 * queue. A commit is durable when it returns ({@code synchronous_commit} on, the server's
 * default), before the futures complete. A lost connection fails the batch that was running
 * (its units' futures complete with a StoreException, agents retry) and the next batch takes a
 * new connection.
 *
 * <h2>Reads</h2>
 * A pool of its own, configured read-only, {@code REPEATABLE READ} and without auto-commit:
 * each unit of work is one read-only transaction, so all its statements see one snapshot, and a
 * write in it fails. Reads run concurrently, up to the pool's size.
 *
 * <h2>Statements</h2>
 * The writer keeps a {@link StatementCache} for its connection, as on SQLite. A read prepares a
 * statement per call and closes it when the unit returns; the driver keeps the server-side
 * prepared statements per connection anyway ({@code prepareThreshold}), so the parse is not
 * repeated.
 *
 * <h2>A database that goes away: fail fast</h2>
 * The writer's pool waits at most {@link #WRITER_CONNECTION_TIMEOUT} for a connection (Hikari's
 * {@code connectionTimeout}: how long {@code getConnection()} blocks while the pool tries to
 * connect in the background; it defaults to 30 s, as long as an agent's whole report deadline),
 * checks a pooled connection that sat idle with {@code isValid} within
 * {@link #WRITER_VALIDATION_TIMEOUT} before handing it out (Hikari's validation; it must be
 * shorter than the connection timeout), and the writer's own connection gives up on a server that
 * stopped answering after {@link #WRITER_NETWORK_TIMEOUT} ({@code Connection.setNetworkTimeout},
 * the driver's socket timeout: long enough for the largest statement of a bounded batch, short
 * enough that a report queued behind it still hears UNAVAILABLE before the agent's 30 s deadline).
 * A server that was restarted or killed resets the connection, which fails at once.
 * When the writer cannot get a connection, or its connection turns out dead after a failed batch,
 * the {@link WriteQueue}'s circuit opens: every queued and new write is refused at once with a
 * StoreException marked {@link StoreException#databaseUnreachable() unreachable}, and the writer
 * alone probes the server once a second (a connection from the pool, checked with
 * {@code isValid}). While the circuit is open, reads are refused the same way instead of each
 * waiting for a connection from the read pool. {@code initializationFailTimeout} only governs
 * {@link #open}: the controller refuses to start on a database it cannot reach.
 *
 * <h2>Failures</h2>
 * The pools are created with {@code initializationFailTimeout}, so an unreachable database, a
 * wrong password or a TLS failure fails {@link #open} with the driver's message (the password
 * never appears in it). {@link #location()} is the URL without credentials (the URL never has a
 * password: {@link DatabaseUrl} refuses one).
 */
public final class PostgresDatabase implements Database {
  private static final Logger log = LoggerFactory.getLogger(PostgresDatabase.class);
  /** Pool size default: PostgreSQL handles a few busy connections per controller best. */
  public static final int DEFAULT_POOL_SIZE = 8;
  /** How long the writer waits for a connection before the circuit opens (class comment). */
  static final Duration WRITER_CONNECTION_TIMEOUT = Duration.ofSeconds(3);
  /** How long checking a pooled connection for the writer may take (under the connection timeout). */
  static final Duration WRITER_VALIDATION_TIMEOUT = Duration.ofSeconds(1);
  /** How long one statement of the writer may wait for a server that stopped answering. */
  static final Duration WRITER_NETWORK_TIMEOUT = Duration.ofSeconds(15);

  private final HikariDataSource pool;
  private final HikariDataSource readers;
  private final DatabaseUrl.Postgres url;
  private final Clock clock;
  private final int schemaVersion;
  private final WriteQueue writes;
  private final Writer writer;
  /** Statement caches of the connections of the reads now running, by connection. */
  private final Map<Connection, StatementCache> reading = new ConcurrentHashMap<>();
  /** For connections outside the pools ({@link #sessionConnection}); set once after open. */
  private volatile @org.jspecify.annotations.Nullable DatabaseCredentials credentials;

  private PostgresDatabase(HikariDataSource pool, HikariDataSource readers, DatabaseUrl.Postgres url, Clock clock,
      int schemaVersion) {
    this.pool = pool;
    this.readers = readers;
    this.url = url;
    this.clock = clock;
    this.schemaVersion = schemaVersion;
    this.writer = new Writer(pool);
    this.writes = new WriteQueue(writer, url.database());
  }

  /** Opens pools of {@link #DEFAULT_POOL_SIZE} connections and migrates the database. */
  public static PostgresDatabase open(DatabaseUrl.Postgres url, DatabaseCredentials credentials, Clock clock) {
    return open(url, credentials, clock, DEFAULT_POOL_SIZE);
  }

  /**
   * Opens a pool of at most {@code poolSize} connections for reads and a small one for the
   * writer to {@code url}, and migrates the database to this build's version; StoreException
   * naming the database (never the password) otherwise.
   */
  public static PostgresDatabase open(DatabaseUrl.Postgres url, DatabaseCredentials credentials, Clock clock,
      int poolSize) {
    return open(url, credentials, clock, poolSize, true);
  }

  /**
   * {@link #open(DatabaseUrl.Postgres, DatabaseCredentials, Clock, int)}, and with
   * {@code createSchema} false refuses a database that holds no LabScan schema yet
   * ({@link NoSchemaException}) instead of creating one: the command-line commands that read or
   * change an existing controller's data must not turn a mistyped database name into an empty
   * LabScan database (the SQLite twin: they refuse a file that does not exist). A database at an
   * older schema version is migrated, as a SQLite file is.
   */
  public static PostgresDatabase open(DatabaseUrl.Postgres url, DatabaseCredentials credentials, Clock clock,
      int poolSize, boolean createSchema) {
    requireNonNull(url, "url");
    requireNonNull(credentials, "credentials");
    requireNonNull(clock, "clock");
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1: " + poolSize);
    }
    List<String> missing = url.missingFiles();
    if (!missing.isEmpty()) {
      throw new StoreException("Cannot connect to " + url + ": " + String.join("; ", missing));
    }
    // The writer's connection, migrations, and the whole-transaction work of migrate-to.
    HikariConfig config = config(url, credentials, "labscan-postgresql", 2);
    config.setConnectionTimeout(WRITER_CONNECTION_TIMEOUT.toMillis());
    config.setValidationTimeout(WRITER_VALIDATION_TIMEOUT.toMillis());
    config.setAutoCommit(true);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    HikariConfig readConfig = config(url, credentials, "labscan-postgresql-read", poolSize);
    readConfig.setAutoCommit(false);
    readConfig.setReadOnly(true);
    readConfig.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("Cannot connect to " + url + " as " + credentials.user() + ": " + rootMessage(e), e);
    }
    HikariDataSource readers = null;
    try {
      int version;
      try (Connection c = pool.getConnection()) {
        if (!createSchema && PostgresMigrations.current(c) == 0) {
          throw new NoSchemaException(url);
        }
        version = PostgresMigrations.migrate(c, clock);
      } catch (SQLException e) {
        throw new StoreException("Cannot migrate " + url + ": " + e.getMessage(), e);
      }
      try {
        readers = new HikariDataSource(readConfig);
      } catch (RuntimeException e) {
        throw new StoreException("Cannot connect to " + url + " as " + credentials.user() + ": " + rootMessage(e), e);
      }
      PostgresDatabase opened = new PostgresDatabase(pool, readers, url, clock, version);
      opened.credentials = credentials;
      return opened;
    } catch (RuntimeException e) {
      if (readers != null) {
        readers.close();
      }
      pool.close();
      throw e;
    }
  }

  private static HikariConfig config(DatabaseUrl.Postgres url, DatabaseCredentials credentials, String name,
      int size) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(url.jdbcUrl());
    config.setDataSourceProperties(url.driverProperties(credentials));
    config.setUsername(credentials.user());
    credentials.password().ifPresent(config::setPassword);
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(Math.min(2, size));
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    config.setInitializationFailTimeout(Duration.ofSeconds(10).toMillis());
    return config;
  }

  /** Applies the PostgreSQL migrations this build knows; returns the schema version. */
  public int migrate() {
    try (Connection c = pool.getConnection()) {
      return PostgresMigrations.migrate(c, clock);
    } catch (SQLException e) {
      throw new StoreException("Cannot migrate " + url + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  public String location() {
    return url.toString();
  }

  /** The schema version the database had after {@link #open} migrated it. */
  @Override
  public int schemaVersion() {
    return schemaVersion;
  }

  @Override
  public <T> CompletableFuture<T> write(SqlWork<T> work) {
    requireNonNull(work, "work");
    return writes.submit(work::run);
  }

  @Override
  public <T> T read(String what, SqlWork<T> work) {
    requireNonNull(work, "work");
    Optional<String> down = writes.unreachable();
    if (down.isPresent()) {
      throw StoreException.unreachable("Cannot read " + what + " from " + url + ": the database cannot be reached ("
          + down.get() + ")");
    }
    try (Connection c = readers.getConnection()) {
      StatementCache statements = new StatementCache(c);
      reading.put(c, statements);
      try {
        return work.run(c);
      } finally {
        reading.remove(c);
        statements.close();
        c.rollback(); // read-only: nothing to commit; ends the snapshot
      }
    } catch (SQLException e) {
      String message = "Cannot read " + what + " from " + url + ": " + e.getMessage();
      throw connectionFailure(e) || writes.unreachable().isPresent() ? StoreException.unreachable(message, e)
          : new StoreException(message, e);
    }
  }

  /**
   * Whether {@code e} (or a cause) says the server could not be reached or dropped the
   * connection: SQLSTATE class 08 (connection exception) or 57P01..57P03 (the server shutting
   * down, crashed, or not yet accepting connections). Not a pool merely busy: Hikari's timeout
   * then has no such cause.
   */
  static boolean connectionFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public Statements statements(Connection db) {
    requireNonNull(db, "db");
    if (db == writer.current) {
      return writer.statements(); // the writer's work is running: its cache is set
    }
    StatementCache cache = reading.get(db);
    if (cache == null) {
      throw new IllegalArgumentException("not a connection of a unit of work running on " + url);
    }
    return cache;
  }

  /**
   * Fails unless the database takes writes: a standby ({@code pg_is_in_recovery()}) or a
   * database or role set to read-only transactions would refuse every report.
   */
  @Override
  public void requireWritable() {
    String refusal;
    try {
      refusal = write(db -> {
        try (Statement st = db.createStatement();
            ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), current_setting('transaction_read_only')")) {
          rs.next();
          if (rs.getBoolean(1)) {
            return "it is a standby (in recovery)";
          }
          return "on".equals(rs.getString(2)) ? "its transactions are read-only (default_transaction_read_only)" : "";
        }
      }).join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreException("The database " + url + " cannot be written: " + cause.getMessage(), cause);
    }
    if (!refusal.isEmpty()) {
      throw new StoreException("The database " + url + " is read-only (" + refusal + "): the controller cannot "
          + "store reports. Point --db at the primary server.");
    }
  }

  /**
   * The text of the current snapshot ({@code xmin:xmax:running transactions}) as a number:
   * it changes when any transaction that wrote commits or aborts (by this controller or another),
   * and what a reader sees is the same while it does not. Not the WAL position: that moves
   * before a commit becomes visible, so a poller could see the new position, find nothing new,
   * and then miss the commit.
   */
  @Override
  public long dataVersion() {
    return read("data version", db -> {
      try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT txid_current_snapshot()::text")) {
        if (!rs.next()) {
          return 0L;
        }
        String snapshot = rs.getString(1);
        long h = 1125899906842597L;
        for (int i = 0; i < snapshot.length(); i++) {
          h = 31 * h + snapshot.charAt(i);
        }
        return h;
      }
    });
  }

  @Override
  public long sizeBytes() {
    return read("database size", db -> {
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
        return rs.next() ? rs.getLong(1) : 0L;
      }
    });
  }

  /** A pooled connection (auto-commit on); closing it returns it to the pool. */
  public Connection connection() {
    try {
      return pool.getConnection();
    } catch (SQLException e) {
      throw new StoreException("No connection to " + url + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code work} in one transaction (READ COMMITTED) on a connection of its own, beside the
   * write queue, and commits; rolls back and rethrows (SQL errors as StoreException) when it
   * fails. For whole-database work ({@code migrate-to}); the controller writes through
   * {@link #write}.
   */
  public <T> T inTransaction(SqlWork<T> work) {
    requireNonNull(work, "work");
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException("Database work on " + url + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * A connection of its own, outside the pools, for session state that must never go back into
   * a pool's rotation: the advisory locks of {@link PostgresSingletonLocks}. Auto-commit, named
   * {@code application_name} in {@code pg_stat_activity}; the caller closes it.
   */
  public java.sql.Connection sessionConnection(String applicationName) throws SQLException {
    requireNonNull(applicationName, "applicationName");
    DatabaseCredentials c = credentials;
    if (c == null) {
      throw new SQLException("no credentials for a session connection to " + url);
    }
    java.util.Properties p = url.driverProperties(c);
    p.setProperty("ApplicationName", applicationName);
    p.putIfAbsent("connectTimeout", "10");
    p.setProperty("socketTimeout", "30"); // a statement on a vanished server fails instead of hanging
    p.setProperty("tcpKeepAlive", "true");
    Connection conn = new org.postgresql.Driver().connect(url.jdbcUrl(), p);
    if (conn == null) {
      throw new SQLException("the PostgreSQL driver does not accept " + url.jdbcUrl());
    }
    return conn;
  }

  /**
   * The once-only jobs' locks of a controller on this database ({@link PostgresSingletonLocks}),
   * on a session of their own.
   */
  public PostgresSingletonLocks singletonLocks(String instanceId) {
    return PostgresSingletonLocks.start(() -> sessionConnection(PostgresSingletonLocks.APPLICATION_NAME + " " + instanceId),
        instanceId);
  }

  /** The database's URL (no secrets). */
  public DatabaseUrl.Postgres url() {
    return url;
  }

  @Override
  public void close() {
    writes.close(); // runs what is queued; the writer thread gives its connection back
    readers.close();
    pool.close();
  }

  @Override
  public String toString() {
    return "PostgreSQL database " + url;
  }

  /**
   * The writer's connection: taken from the pool when the first batch runs and kept (with its
   * statement cache) until a batch fails on a connection that is no longer valid; then given
   * back, and the next batch takes another.
   */
  private static final class Writer implements WriteQueue.Link {
    private final HikariDataSource pool;
    private volatile @Nullable Connection current;
    /** The cache of {@link #current}; null while there is none. */
    private @Nullable StatementCache statements;

    Writer(HikariDataSource pool) {
      this.pool = pool;
    }

    @Override
    public Connection connection() throws SQLException {
      Connection now = current;
      if (now == null) {
        Connection c = pool.getConnection();
        try {
          // A direct executor: pgjdbc applies the timeout to its socket and never runs a task on it.
          c.setNetworkTimeout(Runnable::run, (int) WRITER_NETWORK_TIMEOUT.toMillis());
        } catch (SQLException | RuntimeException e) {
          c.close();
          throw e;
        }
        statements = new StatementCache(c);
        current = c;
        now = c;
      }
      return now;
    }

    /**
     * The writer holds no connection (getting one failed, or {@link #failed} dropped a dead one)
     * or the failure is a connection failure: the database cannot be reached.
     */
    @Override
    public boolean unreachable(Exception cause) {
      return current == null || connectionFailure(cause);
    }

    /** A connection from the pool (validated by it), checked once more by the server answering. */
    @Override
    public void probe() throws SQLException {
      Connection c = connection();
      if (!c.isValid((int) WRITER_VALIDATION_TIMEOUT.toSeconds())) {
        close();
        throw new SQLException("the connection does not answer", "08006");
      }
    }

    @Override
    public StatementCache statements() {
      return requireNonNull(statements, "statements"); // set by connection(), which the queue calls first
    }

    @Override
    public void failed(Exception cause) {
      Connection c = current;
      if (c == null) {
        return;
      }
      boolean valid;
      try {
        valid = c.isValid(2);
      } catch (SQLException e) {
        valid = false;
      }
      if (!valid) {
        log.warn("The writer's connection to PostgreSQL was lost ({}); the next write reconnects.", cause.getMessage());
        close();
      }
    }

    @Override
    public void close() {
      if (statements != null) {
        statements.close();
        statements = null;
      }
      Connection c = current;
      current = null;
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          // given back anyway
        }
      }
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  /**
   * Why writes (and reads) are refused now because the database cannot be reached (the write
   * queue's circuit is open); empty while it answers.
   */
  public Optional<String> writesRefused() {
    return writes.unreachable();
  }

  /** For tests and messages: whether the writer holds a connection now. */
  Optional<Connection> writerConnection() {
    return Optional.ofNullable(writer.current);
  }
}
