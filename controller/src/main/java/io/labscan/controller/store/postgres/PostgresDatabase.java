package io.labscan.controller.store.postgres;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.SqlWork;
import io.labscan.controller.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A PostgreSQL database for the controller: a HikariCP pool of connections from the official
 * JDBC driver, migrated to this build's schema version when opened.
 *
 * <p><b>Shape for the storage layer.</b> This class is self-contained so that it can be plugged
 * into the {@code store.Database} abstraction (issue 20) without change: {@link #connection()}
 * lends a pooled connection (close it to give it back), {@link #inTransaction(SqlWork)} runs
 * work in one transaction, {@link #migrate()} applies {@link PostgresMigrations}, and
 * {@link #close()} closes the pool. Unlike SQLite, PostgreSQL serialises concurrent writers
 * itself, so no single-writer queue is needed here; several controllers may share the database.
 *
 * <p><b>Failures.</b> The pool is created with {@code initializationFailTimeout} so that an
 * unreachable database, a wrong password or a TLS failure fails {@link #open} with the driver's
 * message (the password never appears in it). While running, a lost connection fails the one
 * call that uses it ({@link StoreException}); the pool reconnects by itself.
 */
public final class PostgresDatabase implements AutoCloseable {
  /** Pool size default: PostgreSQL handles a few busy connections per controller best. */
  public static final int DEFAULT_POOL_SIZE = 8;

  private final HikariDataSource pool;
  private final DatabaseUrl.Postgres url;
  private final Clock clock;
  private final int schemaVersion;

  private PostgresDatabase(HikariDataSource pool, DatabaseUrl.Postgres url, Clock clock, int schemaVersion) {
    this.pool = pool;
    this.url = url;
    this.clock = clock;
    this.schemaVersion = schemaVersion;
  }

  /** Opens a pool of {@link #DEFAULT_POOL_SIZE} connections and migrates the database. */
  public static PostgresDatabase open(DatabaseUrl.Postgres url, DatabaseCredentials credentials, Clock clock) {
    return open(url, credentials, clock, DEFAULT_POOL_SIZE);
  }

  /**
   * Opens a pool of at most {@code poolSize} connections to {@code url} and migrates the database
   * to this build's version; StoreException naming the database (never the password) otherwise.
   */
  public static PostgresDatabase open(DatabaseUrl.Postgres url, DatabaseCredentials credentials, Clock clock,
      int poolSize) {
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
    HikariConfig config = new HikariConfig();
    config.setPoolName("labscan-postgresql");
    config.setJdbcUrl(url.jdbcUrl());
    config.setDataSourceProperties(url.driverProperties(credentials));
    config.setUsername(credentials.user());
    credentials.password().ifPresent(config::setPassword);
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setConnectionTimeout(Duration.ofSeconds(10).toMillis());
    config.setInitializationFailTimeout(Duration.ofSeconds(10).toMillis());
    config.setAutoCommit(true);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("Cannot connect to " + url + " as " + credentials.user() + ": " + rootMessage(e), e);
    }
    try {
      PostgresDatabase db = new PostgresDatabase(pool, url, clock, 0);
      int version = db.migrate();
      return new PostgresDatabase(pool, url, clock, version);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** Applies the PostgreSQL migrations this build knows; returns the schema version. */
  public int migrate() {
    try (Connection c = pool.getConnection()) {
      return PostgresMigrations.migrate(c, clock);
    } catch (SQLException e) {
      throw new StoreException("Cannot migrate " + url + ": " + e.getMessage(), e);
    }
  }

  /** The schema version the database had after {@link #open} migrated it. */
  public int schemaVersion() {
    return schemaVersion;
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
   * Runs {@code work} in one transaction (READ COMMITTED) and commits; rolls back and rethrows
   * (SQL errors as StoreException) when it fails.
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

  /** The database's URL (no secrets). */
  public DatabaseUrl.Postgres url() {
    return url;
  }

  @Override
  public void close() {
    pool.close();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }
}
