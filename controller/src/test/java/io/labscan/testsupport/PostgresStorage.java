package io.labscan.testsupport;

import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Storage on a real PostgreSQL server for the storage tests that run on both engines: a test
 * class written against SQLite opens its storage through an overridable {@code open(Path)}, and
 * its PostgreSQL twin ({@code ...OnPostgresTest}) overrides it with {@link #open(Path)}.
 *
 * <p>One server ({@link PostgresServer}) serves the whole test JVM (a cluster takes seconds to
 * create) and is stopped when the JVM exits. Each file path a test opens gets a database of its
 * own, and the same path opened again (a test that closes and reopens its store) gets the same
 * database back, as the SQLite file would. Where PostgreSQL is not installed the test skips
 * loudly (fails under {@code LABSCAN_STRICT=1} or {@code CI=true}).
 */
public final class PostgresStorage {
  private static PostgresServer server;
  private static final Map<Path, PostgresServer.TestDatabase> DATABASES = new HashMap<>();

  private PostgresStorage() {}

  /** The shared server, started at first use. */
  public static synchronized PostgresServer server() throws Exception {
    if (server == null) {
      PostgresServer started = PostgresServer.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (Exception e) {
          System.err.println("Could not stop the test PostgreSQL server: " + e.getMessage());
        }
      }, "labscan-test-postgresql-stop"));
      server = started;
    }
    return server;
  }

  /** The database standing for {@code file} (created at first use). */
  public static synchronized PostgresServer.TestDatabase database(Path file) {
    Path key = file.toAbsolutePath().normalize();
    try {
      PostgresServer.TestDatabase db = DATABASES.get(key);
      if (db == null) {
        db = server().createDatabase();
        DATABASES.put(key, db);
      }
      return db;
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create a test database: " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Storage on the database standing for {@code file}, migrated; closing it closes its pools. */
  public static Storage open(Path file) {
    PostgresServer.TestDatabase db = database(file);
    return Storage.open(url(db), credentials(db), Clock.systemUTC());
  }

  /** The {@code --db} URL of {@code db} (loopback, no TLS: the TLS paths have tests of their own). */
  public static DatabaseUrl url(PostgresServer.TestDatabase db) {
    return DatabaseUrl.parse(db.url() + "?sslmode=disable");
  }

  public static DatabaseCredentials credentials(PostgresServer.TestDatabase db) {
    return new DatabaseCredentials(db.user(), Optional.of(db.password()));
  }
}
