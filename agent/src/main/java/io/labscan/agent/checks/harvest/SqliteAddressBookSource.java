package io.labscan.agent.checks.harvest;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.mail.ProfileFile;
import io.labscan.agent.state.PrivateFiles;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteLimits;

/**
 * SQLite address books: Thunderbird's {@code abook.sqlite}, {@code abook-N.sqlite} and
 * {@code history.sqlite} (table {@code properties}, names {@code PrimaryEmail} and
 * {@code SecondEmail}) and macOS Contacts' {@code *.abcddb} ({@code ZABCDEMAILADDRESS.ZADDRESS}).
 *
 * <p>The book is never opened where it is: SQLite opens a database by its path, resolving
 * links at every component (and its {@code -wal} and {@code -shm} by that path plus a suffix),
 * so a user could swap a folder of the path for a link between the walk's look and SQLite's
 * open, and its WAL mode would make a read-only open create files in the user's folder. So the
 * database and its {@code -wal} are read through the descriptors the profile walk opened
 * ({@link io.labscan.agent.checks.mail.FileOpener}: no link followed, see
 * {@link io.labscan.agent.checks.mail.ProfileWalker}), copied (at most the policy's file size
 * limit each) into a private 0700 folder under the agent's state folder, the copy is read, and
 * the folder removed. The user's files are never written, and a book a running Thunderbird
 * holds locked reads the same.
 *
 * <h2>Bounded work</h2>
 *
 * <p>An address book is a program as much as a file: {@code properties} may be a view over a
 * recursive common table expression that never ends, in a 4 KiB file any user can put in
 * their profile. So every query runs under a SQLite progress handler, called every
 * {@value #PROGRESS_PERIOD} virtual-machine steps, that stops it (SQLite then fails the step
 * with "interrupted") when the check's thread was interrupted, which is how the scanner
 * enforces the check's time budget, or when the query has taken more than
 * {@value #MAX_PROGRESS_CALLS} calls (10<sup>9</sup> steps, a few seconds: a real book of
 * 100 000 contacts needs well under 1 % of it). Such a book is counted as
 * {@value #QUERY_BUDGET_REASON} and the harvest goes on with the next file. Values are
 * limited to {@value #MAX_VALUE_BYTES} bytes ({@code SQLITE_LIMIT_LENGTH}), so a view that
 * doubles a string each row fails early instead of filling memory.
 */
final class SqliteAddressBookSource implements AddressSource {
  private static final Pattern THUNDERBIRD_BOOK =
      Pattern.compile("abook(-\\d+)?\\.sqlite|history\\.sqlite");

  /** Where an address book keeps its addresses. */
  enum Schema {
    THUNDERBIRD("SELECT value FROM properties WHERE name IN ('PrimaryEmail', 'SecondEmail')"),
    MACOS_CONTACTS("SELECT ZADDRESS FROM ZABCDEMAILADDRESS");

    private final String query;

    Schema(String query) {
      this.query = query;
    }
  }

  /** Virtual-machine steps between two calls of the progress handler. */
  static final int PROGRESS_PERIOD = 1_000;
  /** Progress-handler calls one query may take: 10^9 steps. */
  static final long MAX_PROGRESS_CALLS = 1_000_000;
  /** Longest string or blob a query may make; no address is longer. */
  static final int MAX_VALUE_BYTES = 64 * 1024;
  /** Skip reason of a book whose query ran past {@link #MAX_PROGRESS_CALLS}. */
  static final String QUERY_BUDGET_REASON = "harvest-query-budget";

  /** A query stopped because it ran past its step budget (not because of an interrupt). */
  static final class QueryBudgetExceededException extends IOException {
    QueryBudgetExceededException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Path scratchParent;
  private final long maxBytes;
  private final long maxProgressCalls;

  /**
   * @param scratchParent the agent's own writable folder, for the copies
   * @param maxBytes largest database (and {@code -wal}) copied
   * @param maxProgressCalls progress-handler calls one query may take (tests: a query that
   *     only an interrupt stops)
   */
  SqliteAddressBookSource(Path scratchParent, long maxBytes, long maxProgressCalls) {
    this.scratchParent = requireNonNull(scratchParent, "scratchParent");
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive");
    }
    this.maxBytes = maxBytes;
    if (maxProgressCalls <= 0) {
      throw new IllegalArgumentException("maxProgressCalls must be positive");
    }
    this.maxProgressCalls = maxProgressCalls;
  }

  static Optional<Schema> schemaOf(ProfileFile file) {
    String name = file.lowerCaseName();
    if (THUNDERBIRD_BOOK.matcher(name).matches()) {
      return Optional.of(Schema.THUNDERBIRD);
    }
    if (name.endsWith(".abcddb")) {
      return Optional.of(Schema.MACOS_CONTACTS);
    }
    return Optional.empty();
  }

  @Override
  public boolean reads(ProfileFile file) {
    return schemaOf(file).isPresent();
  }

  @Override
  public void read(ProfileFile file, AddressCollector addresses) throws IOException {
    Schema schema = schemaOf(file).orElseThrow();
    PrivateFiles.folder(scratchParent);
    // 0700 (the JDK's mode for temporary folders): the copy is a user's address book.
    Path scratch = Files.createTempDirectory(scratchParent, "harvest-");
    try {
      Path copy = scratch.resolve("book.sqlite");
      try (FileChannel in = file.opener().open()) {
        copyAtMost(in, copy, maxBytes);
      }
      FileChannel wal;
      try {
        // The walk vetted the database, not its sibling: opened the same way, beside it.
        wal = file.opener().openSibling(file.name() + "-wal");
      } catch (IOException none) {
        wal = null;
      }
      if (wal != null) {
        try (FileChannel in = wal) {
          copyAtMost(in, scratch.resolve("book.sqlite-wal"), maxBytes);
        }
      }
      // The copy is ours: opened read-write so SQLite may replay its WAL.
      StepBudget budget = new StepBudget(maxProgressCalls);
      try (Connection connection =
          DriverManager.getConnection("jdbc:sqlite:" + copy.toUri().toASCIIString())) {
        query(connection, schema, addresses, budget);
      } catch (SQLException e) {
        budget.failIfSpent(e);
        throw e;
      }
    } catch (SQLException e) {
      throw new IOException("cannot read address book: " + e.getMessage(), e);
    } finally {
      deleteTree(scratch);
    }
  }

  /** Copies {@code in} to the new file {@code target}; more than {@code maxBytes} is refused. */
  private static void copyAtMost(FileChannel in, Path target, long maxBytes) throws IOException {
    if (in.size() > maxBytes) {
      throw new IOException("larger than " + maxBytes + " bytes");
    }
    try (InputStream bounded = Channels.newInputStream(in)) {
      long copied = Files.copy(new BoundedStream(bounded, maxBytes), target);
      if (copied > maxBytes) {
        throw new IOException("grew past " + maxBytes + " bytes while copied");
      }
    }
  }

  /** Stops one byte past the bound, so a file that grows while copied is noticed. */
  private static final class BoundedStream extends FilterInputStream {
    private long left;

    BoundedStream(InputStream in, long maxBytes) {
      super(in);
      this.left = maxBytes + 1;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  private static void query(Connection connection, Schema schema, AddressCollector addresses,
      StepBudget budget) throws SQLException {
    connection.unwrap(SQLiteConnection.class).setLimit(SQLiteLimits.SQLITE_LIMIT_LENGTH,
        MAX_VALUE_BYTES);
    ProgressHandler.setHandler(connection, PROGRESS_PERIOD, budget);
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(schema.query)) {
      while (rows.next()) {
        String address = rows.getString(1);
        if (address != null) {
          addresses.add(address);
        }
      }
    }
  }

  /**
   * Stops a query when the thread is interrupted or the query has run too long. Called by
   * SQLite on the thread running the query.
   */
  private static final class StepBudget extends ProgressHandler {
    private final long maxCalls;
    private long calls;
    private boolean spent;
    private boolean interrupted;

    StepBudget(long maxCalls) {
      this.maxCalls = maxCalls;
    }

    @Override
    protected int progress() {
      if (Thread.currentThread().isInterrupted()) {
        interrupted = true;
        return 1;
      }
      if (++calls > maxCalls) {
        spent = true;
        return 1;
      }
      return 0;
    }

    /** Turns a query this budget stopped into the exception that says so. */
    void failIfSpent(SQLException e) throws IOException {
      if (spent) {
        throw new QueryBudgetExceededException("address book query ran past "
            + PROGRESS_PERIOD * maxCalls + " steps", e);
      }
      if (interrupted) {
        throw new InterruptedIOException("address book query interrupted");
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
