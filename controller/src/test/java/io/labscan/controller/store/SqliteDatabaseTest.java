package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Database layer on SQLite: writes, reads, failures, and the SQLite dialect's forms run as written. */
class SqliteDatabaseTest {
  @TempDir Path dir;

  @Test
  void aWriteIsReadableOnceItsFutureCompletes() {
    try (Database db = SqliteDatabase.open(dir.resolve("d.db"))) {
      db.write(c -> {
        try (Statement st = c.createStatement()) {
          st.execute("CREATE TABLE t(k TEXT PRIMARY KEY, n BIGINT NOT NULL)");
          st.execute("INSERT INTO t VALUES ('a', 1)");
        }
        return null;
      }).join();
      long rows = db.read("t", c -> count(c, "SELECT COUNT(*) FROM t"));
      assertThat(rows).isEqualTo(1);
      assertThat(db.schemaVersion()).isEqualTo(Migrations.latest());
      assertThat(db.dialect()).isSameAs(Dialect.SQLITE);
      assertThat(db.location()).endsWith("d.db");
    }
  }

  @Test
  void aFailingWriteFailsAloneAndChangesNothing() {
    try (Database db = SqliteDatabase.open(dir.resolve("d.db"))) {
      db.write(c -> {
        try (Statement st = c.createStatement()) {
          st.execute("CREATE TABLE t(k TEXT PRIMARY KEY)");
        }
        return null;
      }).join();
      var failing = db.write(c -> {
        try (Statement st = c.createStatement()) {
          st.execute("INSERT INTO t VALUES ('x')");
          st.execute("INSERT INTO t VALUES ('x')");
        }
        return null;
      });
      var fine = db.write(c -> {
        try (Statement st = c.createStatement()) {
          return st.executeUpdate("INSERT INTO t VALUES ('y')");
        }
      });
      assertThatThrownBy(failing::join).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(StoreException.class);
      assertThat(fine.join()).isEqualTo(1);
      long rows = db.read(c -> count(c, "SELECT COUNT(*) FROM t"));
      assertThat(rows).isEqualTo(1);
    }
  }

  @Test
  void aFailedReadNamesWhatAndWhere() {
    try (Database db = SqliteDatabase.open(dir.resolve("d.db"))) {
      assertThatThrownBy(() -> db.read("the missing table", c -> count(c, "SELECT COUNT(*) FROM missing")))
          .isInstanceOf(StoreException.class).hasMessageContaining("the missing table").hasMessageContaining("d.db");
    }
  }

  @Test
  void theSqliteDialectsFormsRunOnSqlite() {
    Dialect d = Dialect.SQLITE;
    try (Database db = SqliteDatabase.open(dir.resolve("d.db"))) {
      int inserted = db.write(c -> {
        try (Statement st = c.createStatement()) {
          st.execute("CREATE TABLE t(k TEXT PRIMARY KEY, n BIGINT NOT NULL)");
        }
        int n = 0;
        for (String k : List.of("a", "a", "b")) {
          try (PreparedStatement ps = c.prepareStatement(d.insertIgnoring("t", List.of("k", "n")))) {
            ps.setString(1, k);
            ps.setLong(2, 5);
            n += ps.executeUpdate();
          }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(k, n) VALUES (?, ?)"
            + d.onConflictUpdate("k", "n = " + d.greatest("t.n", "excluded.n")))) {
          ps.setString(1, "a");
          ps.setLong(2, 9);
          ps.executeUpdate();
        }
        return n;
      }).join();
      assertThat(inserted).isEqualTo(2);
      List<String> rows = db.read(c -> {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT t.k, t.n, " + d.least("t.n", "7") + " FROM "
            + d.jsonArrayValues("j") + " JOIN t ON t.k = j.value WHERE t.n > " + d.bool(false)
            + " ORDER BY t.k" + d.limit(5))) {
          ps.setString(1, Jdbc.jsonArray(List.of("a", "b", "zz")));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1) + "=" + rs.getLong(2) + "/" + rs.getLong(3));
            }
          }
        }
        return out;
      });
      assertThat(rows).containsExactly("a=9/7", "b=5/5");
    }
  }

  @Test
  void statementsAreCachedPerConnectionOfARunningWork() {
    try (Database db = SqliteDatabase.open(dir.resolve("d.db"))) {
      boolean same = db.read(c -> {
        PreparedStatement first = db.statements(c).prepare("SELECT 1");
        PreparedStatement second = db.statements(c).prepare("SELECT 1");
        return first == second;
      });
      assertThat(same).isTrue();
      assertThatThrownBy(() -> db.statements(null)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void thePostgresqlDialectSpellsItsOwnForms() {
    Dialect pg = Dialect.POSTGRESQL;
    assertThat(pg.greatest("a", "b")).isEqualTo("GREATEST(a, b)");
    assertThat(pg.least("a", "b", "c")).isEqualTo("LEAST(a, b, c)");
    assertThat(pg.jsonArrayValues("j")).isEqualTo("json_array_elements_text(CAST(? AS json)) AS j(value)");
    assertThat(pg.insertIgnoring("t", List.of("a", "b"))).isEqualTo("INSERT INTO t(a, b) VALUES (?,?) ON CONFLICT DO NOTHING");
    assertThat(pg.containsText("lower(actor)")).isEqualTo("strpos(lower(actor), ?) > 0");
    assertThat(pg.rowId()).isEqualTo("ctid");
    assertThatThrownBy(() -> pg.greatest("a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> pg.jsonArrayValues("j; DROP TABLE t")).isInstanceOf(IllegalArgumentException.class);
  }

  private static long count(java.sql.Connection c, String sql) throws java.sql.SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
