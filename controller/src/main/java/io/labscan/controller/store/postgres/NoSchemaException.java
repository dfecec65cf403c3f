package io.labscan.controller.store.postgres;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.store.DatabaseUrl;

/**
 * The PostgreSQL database holds no LabScan schema (no {@code schema_version} rows) and the
 * caller asked not to create one ({@link PostgresDatabase#open(DatabaseUrl.Postgres,
 * io.labscan.controller.store.DatabaseCredentials, java.time.Clock, int, boolean)}): most likely
 * a mistyped database name, or a controller that was never started on it. Bad input, not a
 * failure of the database.
 */
public final class NoSchemaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient DatabaseUrl.Postgres url;

  public NoSchemaException(DatabaseUrl.Postgres url) {
    super("the PostgreSQL database " + requireNonNull(url, "url") + " holds no LabScan schema yet (a mistyped "
        + "database name, or no controller ever started on it); nothing was created");
    this.url = url;
  }

  /** The database (no secrets: a URL never holds one). */
  public DatabaseUrl.Postgres url() {
    return url;
  }
}
