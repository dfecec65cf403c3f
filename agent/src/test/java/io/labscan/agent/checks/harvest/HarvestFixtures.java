package io.labscan.agent.checks.harvest;

import io.labscan.agent.checks.mail.MailFixtures;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** Address books and files as mail clients and worms leave them in a profile. */
final class HarvestFixtures {
  /** How Harold's address is written in the files, different from its normal form. */
  static final String HAROLD_AS_WRITTEN = "HAROLD@Lab.Example.edu";
  static final String HAROLD = "harold@lab.example.edu";

  private HarvestFixtures() {}

  /** A message to "Harold <HAROLD@Lab.Example.edu>". */
  static MimeMessage messageToHarold() {
    MimeMessage m = MailFixtures.plain("<to-harold@x>", "seminar", "See you there.");
    try {
      m.setHeader("To", "Harold <" + HAROLD_AS_WRITTEN + ">");
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
    return m;
  }

  static Path vcard(Path file, String address) {
    return MailFixtures.write(file, ("""
        BEGIN:VCARD\r
        VERSION:3.0\r
        N:Example;Harold;;;\r
        FN:Harold Example\r
        item1.EMAIL;type=INTERNET;type=pref:%s\r
        END:VCARD\r
        """).formatted(address).getBytes(StandardCharsets.UTF_8));
  }

  static Path html(Path file, String address) {
    return MailFixtures.write(file, ("<html><body><p>Contact: <a href=\"mailto:" + address
        + "\">Harold</a></p></body></html>").getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A Windows Address Book look-alike: binary records, strings in UTF-16LE at odd offsets. */
  static Path wab(Path file, String address) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x9C, (byte) 0xCB, (byte) 0xCB, (byte) 0x8D, 0x13, 0x75});
    out.writeBytes(new byte[301]);
    out.writeBytes("Harold Example".getBytes(StandardCharsets.UTF_16LE));
    out.writeBytes(new byte[] {0, 0, 0x1f, 0x00, 0x03});
    out.writeBytes(address.getBytes(StandardCharsets.UTF_16LE));
    out.writeBytes(new byte[] {0, 0, (byte) 0xff, (byte) 0xfe});
    return MailFixtures.write(file, out.toByteArray());
  }

  /** A Thunderbird Mork address book (abook.mab). */
  static Path mork(Path file, String address) {
    return MailFixtures.write(file, ("""
        // <!-- <mdb:mork:z v="1.4"/> -->
        < <(a=c)> // (f=iso-8859-1)
          (B8=LastModifiedDate)(B9=FirstName)(BA=PrimaryEmail)(BB=DisplayName)>
        <(80=0)(81=Harold)(82=%s)(83=Harold Example)>
        {1:^80 {(k^BF:c)(s=9)}
          [1(^B8^80)(^B9^81)(^BA^82)(^BB^83)]}
        """).formatted(address).getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A Thunderbird abook.sqlite (or history.sqlite). */
  static Path thunderbirdSqlite(Path file, String address) throws Exception {
    Files.createDirectories(file.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE properties (card TEXT, name TEXT, value TEXT)");
      s.execute("CREATE TABLE lists (uid TEXT PRIMARY KEY, name TEXT, nickName TEXT,"
          + " description TEXT)");
      insert(c, "INSERT INTO properties VALUES ('c1', ?, ?)", "DisplayName", "Harold Example");
      insert(c, "INSERT INTO properties VALUES ('c1', ?, ?)", "PrimaryEmail", address);
      insert(c, "INSERT INTO properties VALUES ('c1', ?, ?)", "Notes", "not an address");
    }
    return file;
  }

  /** A macOS Contacts database (AddressBook-v22.abcddb). */
  static Path macContacts(Path file, String address) throws Exception {
    Files.createDirectories(file.getParent());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE ZABCDEMAILADDRESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER,"
          + " ZOWNER INTEGER, ZADDRESS VARCHAR, ZADDRESSNORMALIZED VARCHAR, ZLABEL VARCHAR)");
      try (PreparedStatement p = c.prepareStatement(
          "INSERT INTO ZABCDEMAILADDRESS (Z_ENT, ZOWNER, ZADDRESS, ZLABEL)"
              + " VALUES (19, 1, ?, '_$!<Work>!$_')")) {
        p.setString(1, address);
        p.executeUpdate();
      }
    }
    return file;
  }

  private static void insert(Connection c, String sql, String name, String value)
      throws SQLException {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, name);
      p.setString(2, value);
      p.executeUpdate();
    }
  }
}
