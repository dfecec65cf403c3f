package io.labscan.controller.cli;

import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.StoreException;
import io.labscan.controller.store.postgres.PostgresDatabase;
import io.labscan.controller.store.postgres.PostgresMigrations;
import io.labscan.controller.store.postgres.SqliteToPostgres;
import io.labscan.contract.trust.OwnerOnlyFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code labscan-controller migrate-to --db FILE --to postgresql://HOST/DB}: copies a SQLite
 * controller database into PostgreSQL (issue 20; docs/operations.md, "PostgreSQL").
 *
 * <p>The file is never written: it is opened read-only. A file at an older schema version is
 * first copied ({@code VACUUM INTO}, a consistent snapshot) into an owner-only scratch folder,
 * the snapshot is migrated to this build's version, and the copy reads the snapshot, which is
 * deleted afterwards. The target is migrated to the same version, must be empty unless
 * {@code --force}, and each table is copied in one transaction with its row count verified
 * ({@link SqliteToPostgres}).
 */
@Command(name = "migrate-to", mixinStandardHelpOptions = true,
    description = {
      "Copies every table of a SQLite controller database into a PostgreSQL database, which is migrated to the",
      "same schema version first and must be empty (--force empties it). The SQLite file is only read (an older",
      "one is migrated in a temporary copy). Each table is copied in one transaction and its row count checked.",
      "Stop 'serve' first: rows stored after the copy began are not copied.",
      "Credentials never go on the command line: the user in the URL (USER@HOST) or LABSCAN_DB_USER, the",
      "password from --db-password-file (owner-only) or LABSCAN_DB_PASSWORD / PGPASSWORD."
    })
final class MigrateToCommand implements Callable<Integer> {
  @Option(names = "--db", required = true, paramLabel = "FILE", description = "The SQLite controller database to copy (read only).")
  Path db;

  @Option(names = "--to", required = true, paramLabel = "URL",
      description = "postgresql://[USER@]HOST[:PORT]/DATABASE[?sslmode=verify-full&sslrootcert=FILE] (no password).")
  String to;

  @Option(names = "--db-password-file", paramLabel = "FILE",
      description = "File holding the PostgreSQL password (one line, readable by its owner only).")
  Path passwordFile;

  @Option(names = "--force", description = "Empty the PostgreSQL database's LabScan tables first if they hold rows (those rows are lost).")
  boolean force;

  @Option(names = "--scratch-dir", paramLabel = "DIR",
      description = "Where an older database's migrated snapshot is made (default: the system temporary folder).")
  Path scratch;

  /** The environment credentials come from (tests give their own). */
  Map<String, String> environment = System.getenv();
  PrintStream out = System.out;
  PrintStream err = System.err;
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() throws Exception {
    DatabaseUrl.Postgres target;
    DatabaseCredentials credentials;
    try {
      if (!(DatabaseUrl.parse(to) instanceof DatabaseUrl.Postgres pg)) {
        err.println("labscan-controller migrate-to: --to must be a postgresql://HOST/DATABASE URL");
        return ControllerMain.EXIT_BAD_INPUT;
      }
      target = pg;
      credentials = DatabaseCredentials.resolve(target, Optional.ofNullable(passwordFile), environment);
    } catch (IllegalArgumentException e) {
      err.println("labscan-controller migrate-to: " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    if (!Files.isRegularFile(db)) {
      err.println("labscan-controller migrate-to: database " + db + " does not exist");
      return ControllerMain.EXIT_BAD_INPUT;
    }
    Path snapshotDir = null;
    try {
      Path source = db.toAbsolutePath();
      int version;
      try (Connection c = openReadOnly(source)) {
        version = schemaVersion(c);
        if (version > PostgresMigrations.latest()) {
          err.println("labscan-controller migrate-to: " + db + " is at schema version " + version
              + " but this LabScan knows only up to " + PostgresMigrations.latest() + ": use the newer LabScan");
          return ControllerMain.EXIT_BAD_INPUT;
        }
        if (version < PostgresMigrations.latest()) {
          Path base = scratch != null ? scratch : Path.of(System.getProperty("java.io.tmpdir"));
          Files.createDirectories(base);
          snapshotDir = Files.createTempDirectory(base, "labscan-migrate-");
          OwnerOnlyFiles.createDirectory(snapshotDir); // createTempDirectory made it 0700 already
          Path snapshot = snapshotDir.resolve("snapshot.db");
          try (Statement st = c.createStatement()) {
            st.execute("VACUUM INTO '" + snapshot.toString().replace("'", "''") + "'");
          }
          out.println("Database " + db + " is at schema version " + version + "; migrating a copy in " + snapshot);
          Storage.open(snapshot).close();
          source = snapshot;
        }
      }
      try (PostgresDatabase pg = PostgresDatabase.open(target, credentials, clock, 2);
          Connection from = openReadOnly(source);
          Connection into = pg.connection()) {
        out.println("Copying " + db + " (schema version " + PostgresMigrations.latest() + ") into " + target + ":");
        SqliteToPostgres.Result result = SqliteToPostgres.copy(from, into, force, out::println);
        out.printf("Copied %d tables, %,d rows; every table's row count matches.%n", result.tables().size(), result.rows());
        return 0;
      }
    } catch (StoreException | SQLException e) {
      err.println("labscan-controller migrate-to: " + e.getMessage());
      return 1;
    } finally {
      if (snapshotDir != null) {
        deleteTree(snapshotDir);
      }
    }
  }

  private static Connection openReadOnly(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(10_000);
    return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
  }

  private static int schemaVersion(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")) {
      if (!rs.next()) {
        throw new StoreException("the file is not a LabScan controller database (no schema_version table)");
      }
    }
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("labscan-controller migrate-to: could not delete the snapshot in " + root + ": " + e.getMessage());
    }
  }
}
