package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.util.concurrent.CompletableFuture;

/**
 * The database under the repositories: connections, the write path, migrations and
 * transactions, and the {@link Dialect} of the SQL it speaks. Repositories are written against
 * this interface and {@link #dialect()} only, so the same repository code runs on the embedded
 * SQLite file ({@link SqliteDatabase}) and on a shared PostgreSQL server.
 *
 * <h2>Contract an implementation keeps</h2>
 * <ul>
 *   <li><b>Migrations.</b> An open database is at the schema this build knows
 *       ({@link #schemaVersion()}): the implementation applied the numbered migrations when it
 *       opened (its own twins of them for its engine; the same numbers and table shapes), and
 *       refused a database written by a newer LabScan.</li>
 *   <li><b>Writes</b> ({@link #write}) are queued and asynchronous. Each unit of work runs
 *       atomically (all of it is committed or none of it: a transaction, or a savepoint inside a
 *       batch's transaction), sees the writes committed before it, and its future completes
 *       only after its commit is durable (the gRPC service acknowledges a report then, and the
 *       agent deletes its copy). A failing unit fails alone, its future completing with a
 *       {@link StoreException}; the units batched with it are not affected. A full queue or a
 *       closed database also completes the future with a StoreException, never blocks.
 *       Futures complete on a thread other than the one running the work, so what follows a
 *       commit never holds up the next write. A unit of work must not wait for another write
 *       (it runs on the writer; it would wait for itself).</li>
 *   <li><b>Reads</b> ({@link #read}) run synchronously on a connection that sees committed
 *       data only, one consistent snapshot per unit of work, and must not write. An
 *       implementation may run reads one at a time (SQLite's single reader connection) or
 *       concurrently (a pool); callers assume neither.</li>
 *   <li><b>Connections</b> handed to a unit of work belong to the implementation: the work
 *       neither closes them nor changes their auto-commit, isolation or read-only settings, and
 *       keeps no reference to them after it returns. Statements it prepares itself it closes;
 *       those from {@link #statements} it never closes.</li>
 *   <li>An {@link java.sql.SQLException} thrown by a unit of work is reported as a
 *       {@link StoreException} naming {@code what} and {@link #location()}.</li>
 * </ul>
 *
 * <p>No method names a driver type: a PostgreSQL implementation (a connection pool for reads,
 * one writer for the queue or a few, advisory locks where it must) fits behind the same
 * signatures.
 */
public interface Database extends AutoCloseable {

  /** The SQL forms this engine needs where SQLite and PostgreSQL differ. */
  Dialect dialect();

  /**
   * Where the database lives, for messages: a file path, or a URL without credentials.
   * Never contains a password.
   */
  String location();

  /** The schema version the database is at (migrations applied at open). */
  int schemaVersion();

  /**
   * Queues {@code work} for the writer; the future completes, on another thread, once the
   * work's changes are committed (with its value) or were rolled back (exceptionally, with a
   * {@link StoreException}).
   */
  <T> CompletableFuture<T> write(SqlWork<T> work);

  /** {@link #write(SqlWork)} for work that has no value to return: the future completes empty. */
  @SuppressWarnings("NullAway") // Void's only value is null; NullAway cannot see that T is Void here
  default CompletableFuture<Void> update(SqlUpdate work) {
    requireNonNull(work, "work");
    return write(db -> {
      work.run(db);
      return (Void) null;
    });
  }

  /**
   * Queues {@code item} for {@code group}: as {@link #write}, but the items of one group that
   * share the writer's transaction run together, in one call of {@link WriteQueue.Group#runAll},
   * so a statement kind can run once for all of them (one JDBC batch, one round trip to a
   * server database) instead of once per item. Each item's future completes after its commit;
   * a failing item fails alone. The default runs each item on its own.
   */
  default <I, T> CompletableFuture<T> writeGrouped(WriteQueue.Group<I, T> group, I item) {
    requireNonNull(group, "group");
    requireNonNull(item, "item");
    return write(db -> {
      java.util.List<T> values = group.runAll(db, java.util.List.of(item));
      if (values.size() != 1) {
        throw new IllegalStateException("a group returned " + values.size() + " values for one item");
      }
      return values.get(0);
    });
  }

  /**
   * Runs {@code work} on a read-only connection and returns its value.
   *
   * @param what what is read, for the message of a failure ("hosts", "verdict history")
   * @throws StoreException when the database fails the read
   */
  <T> T read(String what, SqlWork<T> work);

  /** {@link #read(String, SqlWork)} for a caller that has no better name for what it reads. */
  default <T> T read(SqlWork<T> work) {
    return read("data", work);
  }

  /**
   * The prepared-statement cache of {@code db}, a connection this database handed to the
   * unit of work now running; valid until that work returns. Hot paths (the ingest, a verdict
   * sweep) run the same dozen statements millions of times, and compiling them anew cost more
   * than running them. An implementation without such a cache may prepare a statement per call
   * and close it when the work returns.
   *
   * @throws IllegalArgumentException when {@code db} is not a connection of a running unit of work
   */
  Statements statements(Connection db);

  /**
   * Fails, naming the database, unless it can be written now. The controller asks before it
   * opens its ports: one that cannot store would refuse every report.
   *
   * @throws StoreException naming the database and why it cannot be written
   */
  void requireWritable();

  /**
   * A number that changes whenever anything is committed to the database, by this process or
   * another (another controller, a command-line command on the same database): one cheap read
   * tells a poller whether to look for changes at all. Only equality is meaningful.
   */
  long dataVersion();

  /** The database's size on disk in bytes, for /metrics. */
  long sizeBytes();

  /**
   * Stops taking writes, runs the ones queued, and closes the connections. Writes submitted
   * afterwards fail with a StoreException.
   */
  @Override
  void close();
}
