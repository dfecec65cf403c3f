package io.labscan.controller.cli;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * {@code --db FILE_OR_URL} (required) and {@code --db-password-file FILE}: the mixin every
 * command working on the controller's database uses, {@code serve} included ({@link DatabaseSelection}),
 * so the option has one help text. Whether a missing database is created is the command's choice
 * ({@link DatabaseSelection.Absent}, or serve's own start-up, which creates and migrates it); the
 * help text names the commands that create one.
 */
public final class DatabaseOptions extends DatabaseSelection {
  @Option(names = "--db", required = true, paramLabel = "FILE_OR_URL",
      description = "Controller database (SQLite file or postgresql:// URL): a file path, or "
          + "postgresql://[USER@]HOST[:PORT]/DATABASE[?sslmode=verify-full&sslrootcert=FILE], never with a password "
          + "in it (--db-password-file or LABSCAN_DB_PASSWORD; docs/postgresql.md). serve, import and enroll-token "
          + "create a missing one (the SQLite file, or the LabScan schema in an existing PostgreSQL database); "
          + "the other commands refuse it.")
  @Nullable String value;

  @Override
  Optional<String> value() {
    return Optional.ofNullable(value);
  }
}
