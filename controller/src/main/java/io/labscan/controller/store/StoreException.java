package io.labscan.controller.store;

/**
 * The store could not do what was asked; the message says what and where.
 *
 * <p>{@link #databaseUnreachable()} tells apart the one failure a caller treats differently: the
 * database server cannot be reached at all (its connection is lost, it is restarting, the writer's
 * circuit is open, see {@link WriteQueue}). Nothing was written then, the same work will succeed
 * once the server is back, and every controller sharing that server is in the same state, so the
 * gRPC service says so to the agent (which then keeps its controller and retries) instead of
 * letting it fail over. Every other StoreException (a refused write, a full queue, a closed store)
 * keeps the flag false. SQLite's store never sets it.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean databaseUnreachable;

  public StoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  public StoreException(String message) {
    super(message);
    this.databaseUnreachable = false;
  }

  private StoreException(String message, Throwable cause, boolean databaseUnreachable) {
    super(message, cause);
    this.databaseUnreachable = databaseUnreachable;
  }

  /** A failure because the database server cannot be reached now (see the class comment). */
  public static StoreException unreachable(String message, Throwable cause) {
    return new StoreException(message, cause, true);
  }

  /** A failure because the database server cannot be reached now, without an underlying exception. */
  public static StoreException unreachable(String message) {
    return new StoreException(message, new java.sql.SQLTransientConnectionException(message), true);
  }

  /** Whether the database server could not be reached (see the class comment). */
  public boolean databaseUnreachable() {
    return databaseUnreachable;
  }
}
