package io.labscan.agent.checks.harvest;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.mail.ProfileFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * SQLite address books: Thunderbird's {@code abook.sqlite}, {@code abook-N.sqlite} and
 * {@code history.sqlite} (table {@code properties}, names {@code PrimaryEmail} and
 * {@code SecondEmail}) and macOS Contacts' {@code *.abcddb} ({@code ZABCDEMAILADDRESS.ZADDRESS}).
 *
 * <p>The file is opened in place read-only ({@code ?mode=ro}), which never writes it. When
 * that fails (a running Thunderbird holds a lock, or a WAL database cannot be read without
 * creating its {@code -shm} file), the database and its {@code -wal} are copied into a
 * private folder under the agent's state folder, the copy is read, and the folder removed.
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

  private final Path scratchParent;

  /** @param scratchParent the agent's own writable folder, for copies of locked books */
  SqliteAddressBookSource(Path scratchParent) {
    this.scratchParent = requireNonNull(scratchParent, "scratchParent");
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
    try (Connection inPlace = openInPlace(file.file())) {
      query(inPlace, schema, addresses);
    } catch (SQLException inPlace) {
      readCopy(file, schema, addresses, inPlace);
    }
  }

  private void readCopy(ProfileFile file, Schema schema, AddressCollector addresses,
      SQLException inPlace) throws IOException {
    Path database = file.file();
    Files.createDirectories(scratchParent);
    Path scratch = Files.createTempDirectory(scratchParent, "harvest-");
    try {
      Path copy = scratch.resolve("book.sqlite");
      try (InputStream in = file.open()) {
        Files.copy(in, copy);
      }
      Path wal = database.resolveSibling(database.getFileName() + "-wal");
      if (Files.isRegularFile(wal, LinkOption.NOFOLLOW_LINKS)) {
        // The walk vetted the database, not its sibling: open that without following links.
        try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS);
            InputStream in = Channels.newInputStream(channel)) {
          Files.copy(in, scratch.resolve("book.sqlite-wal"));
        }
      }
      // The copy is ours: opened read-write so SQLite may replay its WAL.
      try (Connection connection =
          DriverManager.getConnection("jdbc:sqlite:" + copy.toUri().toASCIIString())) {
        query(connection, schema, addresses);
      }
    } catch (SQLException e) {
      e.addSuppressed(inPlace);
      throw new IOException("cannot read address book: " + e.getMessage(), e);
    } finally {
      deleteTree(scratch);
    }
  }

  /**
   * Read-only in place: {@code ?mode=ro} in the URI and the read-only open flag. No busy
   * wait: a book locked by a running mail client is read from a copy at once instead.
   */
  private static Connection openInPlace(Path database) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(0);
    return config.createConnection(
        "jdbc:sqlite:" + database.toUri().toASCIIString() + "?mode=ro");
  }

  private static void query(Connection connection, Schema schema, AddressCollector addresses)
      throws SQLException {
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

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
