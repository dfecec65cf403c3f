package io.labscan.controller.cli;

import io.labscan.controller.store.DatabaseCredentials;
import io.labscan.controller.store.DatabaseUrl;
import io.labscan.controller.store.Storage;
import io.labscan.controller.store.postgres.NoSchemaException;
import io.labscan.controller.store.postgres.PostgresDatabase;
import io.labscan.controller.text.Text;
import io.labscan.controller.trust.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The database a command works on, as {@code serve} takes it: {@code --db} a SQLite file or a
 * {@code postgresql://} URL ({@link DatabaseUrl}), the PostgreSQL password from
 * {@code --db-password-file FILE} or the environment ({@link DatabaseCredentials}: never the
 * command line, so a URL holding a password is refused). Every command that opens the
 * controller's database takes it through a subclass used as a picocli mixin
 * ({@link DatabaseOptions}, or {@link OptionalDatabaseOptions} for {@code triage}), so the forms,
 * the checks and the messages are the same everywhere.
 *
 * <p><b>Missing databases.</b> A command that reads or changes an existing controller's data
 * ({@link Absent#REFUSE}) never creates a database: a SQLite file that does not exist, or a
 * PostgreSQL database that holds no LabScan schema yet, is refused (exit 2) with a message, so a
 * mistyped path or database name does not silently become an empty controller. The commands
 * documented to create one ({@code enroll-token}; {@code import} and {@code lab-rule}, which
 * always created a missing SQLite file) pass {@link Absent#CREATE}: the file is created, the
 * PostgreSQL schema migrated in (the PostgreSQL database itself is made by its administrator).
 *
 * <p><b>Exit codes.</b> What is wrong with the flags (a bad URL, a password in it, no user,
 * a bad password file, a missing database) is printed as one line and the command exits 2;
 * a database that cannot be reached or refuses the login is a failure of the work
 * ({@code StoreException}, exit 1 through the command line's handler).
 *
 * <p>Command-line commands open PostgreSQL with a small pool ({@value #POOL_SIZE} connections):
 * they run one unit of work at a time.
 */
public abstract class DatabaseSelection {
  /** Connections a command-line command needs: one reader, and the writer's own pool. */
  static final int POOL_SIZE = 2;

  @Option(names = "--db-password-file", paramLabel = "FILE",
      description = "With a postgresql:// --db: file holding the database password (one line, owner-only); "
          + "else LABSCAN_DB_PASSWORD or PGPASSWORD.")
  @Nullable Path passwordFile;

  /** The environment PostgreSQL credentials come from (tests give their own). */
  public Map<String, String> environment = System.getenv();

  /** Whether {@link #open} may create a database that is not there yet. */
  public enum Absent {
    /** Refuse it (exit 2): commands working on an existing controller's data. */
    REFUSE,
    /** Create it: a SQLite file, or the LabScan schema in an existing PostgreSQL database. */
    CREATE
  }

  /** The {@code --db} value as given; empty when the command has none (triage without --db). */
  abstract Optional<String> value();

  /** Whether {@code --db} was given. */
  public boolean given() {
    return value().isPresent();
  }

  /** The parsed {@code --db}; IllegalArgumentException naming the problem. */
  public DatabaseUrl url() {
    return DatabaseUrl.parse(value().orElseThrow(() -> new IllegalArgumentException("no --db given")));
  }

  /**
   * The PostgreSQL credentials for a {@code postgresql://} {@code --db}; for a SQLite one, none
   * (and a {@code --db-password-file} is refused). IllegalArgumentException naming the problem.
   */
  public DatabaseCredentials credentials(DatabaseUrl url) {
    if (url instanceof DatabaseUrl.Postgres pg) {
      return DatabaseCredentials.resolve(pg, Optional.ofNullable(passwordFile), environment);
    }
    if (passwordFile != null) {
      throw new IllegalArgumentException("--db-password-file is for a postgresql:// --db, not a SQLite file");
    }
    return new DatabaseCredentials("", Optional.empty());
  }

  /**
   * The folder of the controller's CA: {@code pkiDir} when given, else {@code pki/} beside a
   * SQLite file; with PostgreSQL there is no file to keep it beside, so {@code --pki-dir} is
   * required (as for serve). IllegalArgumentException naming the problem.
   */
  public Path pkiFolder(Optional<Path> pkiDir) {
    DatabaseUrl url = url();
    if (pkiDir.isPresent()) {
      return pkiDir.get().toAbsolutePath();
    }
    return url.localFile().map(CertificateAuthority::folderFor).orElseThrow(() -> new IllegalArgumentException(
        "--pki-dir DIR is required with a postgresql:// --db: the CA lives in the folder serve's --pki-dir names"));
  }

  /**
   * Opens the database for {@code command} (its name in messages, e.g. {@code "user add"}), or
   * prints why not and returns empty (the command then exits {@link ControllerMain#EXIT_BAD_INPUT}).
   *
   * @throws io.labscan.controller.store.StoreException when the database cannot be reached or
   *     refuses the login (exit 1)
   */
  public Optional<Storage> open(String command, Absent absent) {
    DatabaseUrl url;
    DatabaseCredentials credentials;
    try {
      url = url();
      credentials = credentials(url);
    } catch (IllegalArgumentException e) {
      refuse(command, e.getMessage());
      return Optional.empty();
    }
    if (url instanceof DatabaseUrl.Postgres pg) {
      try {
        return Optional.of(new Storage(PostgresDatabase.open(pg, credentials, Clock.systemUTC(), POOL_SIZE,
            absent == Absent.CREATE)));
      } catch (NoSchemaException e) {
        refuse(command, e.getMessage() + ". Start 'labscan-controller serve --db " + pg + "' on it once first "
            + "(or migrate-to a SQLite database into it).");
        return Optional.empty();
      }
    }
    Path file = url.localFile().orElseThrow();
    if (absent == Absent.REFUSE && !Files.isRegularFile(file)) {
      refuse(command, "database " + file + " does not exist (start 'labscan-controller serve --db " + file
          + "' or import reports first; a mistyped path is not created).");
      return Optional.empty();
    }
    return Optional.of(Storage.open(file));
  }

  /** Whether a SQLite {@code --db} names a file that does not exist yet (false for PostgreSQL). */
  public boolean missingFile() {
    try {
      return url().localFile().map(Files::notExists).orElse(false);
    } catch (IllegalArgumentException e) {
      return false; // not a usable --db at all: open() says why
    }
  }

  /** The database for messages: the file as given, or the URL (never a password: it cannot hold one). */
  @Override
  public String toString() {
    try {
      return url().toString();
    } catch (IllegalArgumentException e) {
      return "(no usable --db)";
    }
  }

  private static void refuse(String command, @Nullable String message) {
    System.err.println("labscan-controller " + command + ": " + Text.terminalSafe(message, 2000));
  }
}
