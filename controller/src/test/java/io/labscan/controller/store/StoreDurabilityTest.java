package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** What the store promises about the disk before the controller acknowledges anything. */
class StoreDurabilityTest {
  @TempDir Path dir;

  @Test
  void commitsAreSyncedFullyBecauseAnAcknowledgementLetsTheAgentDeleteItsCopy() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      int synchronous = store.write(db -> {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
          rs.next();
          return rs.getInt(1);
        }
      }).join();

      assertThat(synchronous).as("PRAGMA synchronous (2 = FULL)").isEqualTo(2);
    }
  }

  @Test
  void aWritableDatabaseIsAcceptedForServing() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      assertThatCode(store::requireWritable).doesNotThrowAnyException();
    }
  }

  @Test
  void aDatabaseSqliteCanOnlyReadIsRecognisedAsReadOnly() throws Exception {
    Storage.open(dir.resolve("c.db")).close();
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"), readOnly.toProperties())) {
      assertThat(SqliteDatabase.writeRefusal(db)).hasValueSatisfying(why -> assertThat(why).contains("readonly"));
    }
  }

  @Test
  void aDatabaseAnotherProcessIsWritingIsNotMistakenForReadOnly() throws Exception {
    Storage.open(dir.resolve("c.db")).close();
    SQLiteConfig impatient = new SQLiteConfig();
    impatient.setBusyTimeout(100);
    try (Connection busy = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"));
        Statement holding = busy.createStatement();
        Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("c.db"), impatient.toProperties())) {
      holding.execute("BEGIN IMMEDIATE");

      assertThat(SqliteDatabase.writeRefusal(db)).isEmpty();
    }
  }
}
