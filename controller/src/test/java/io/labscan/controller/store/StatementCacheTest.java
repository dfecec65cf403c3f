package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer connection's statements: compiled once, handed out clean. */
class StatementCacheTest {
  @TempDir Path dir;
  private Connection db;
  private StatementCache cache;

  @BeforeEach
  void open() throws SQLException {
    db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cache.db"));
    try (Statement st = db.createStatement()) {
      st.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT)");
    }
    cache = new StatementCache(db);
  }

  @AfterEach
  void close() throws SQLException {
    cache.close();
    db.close();
  }

  @Test
  void theSameSqlIsCompiledOnceAndReused() throws SQLException {
    PreparedStatement first = cache.prepare("INSERT INTO t(name) VALUES (?)");
    first.setString(1, "a");
    first.executeUpdate();

    PreparedStatement second = cache.prepare("INSERT INTO t(name) VALUES (?)");
    second.setString(1, "b");
    second.executeUpdate();

    assertThat(second).isSameAs(first);
    assertThat(cache.size()).isEqualTo(1);
    assertThat(names()).isEqualTo("a,b");
  }

  @Test
  void aBatchLeftBehindByAFailedUseIsNotRunByTheNextUse() throws SQLException {
    PreparedStatement abandoned = cache.prepare("INSERT INTO t(name) VALUES (?)");
    abandoned.setString(1, "from a task that failed half-way");
    abandoned.addBatch();

    PreparedStatement next = cache.prepare("INSERT INTO t(name) VALUES (?)");
    next.setString(1, "c");
    next.addBatch();
    next.executeBatch();

    assertThat(names()).isEqualTo("c");
  }

  @Test
  void bindingsLeftBehindAreClearedBeforeTheNextUse() throws SQLException {
    PreparedStatement abandoned = cache.prepare("INSERT INTO t(id, name) VALUES (?, ?)");
    abandoned.setInt(1, 7);
    abandoned.setString(2, "stale");

    PreparedStatement next = cache.prepare("INSERT INTO t(id, name) VALUES (?, ?)");
    next.setInt(1, 8);
    next.executeUpdate();

    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT id, name FROM t")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(8);
      assertThat(rs.getString(2)).isNull();
    }
  }

  @Test
  void closingClosesEveryStatement() throws SQLException {
    PreparedStatement ps = cache.prepare("SELECT name FROM t");

    cache.close();

    assertThat(ps.isClosed()).isTrue();
    assertThat(cache.size()).isZero();
  }

  private String names() throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT name FROM t ORDER BY id")) {
      while (rs.next()) {
        out.append(out.length() == 0 ? "" : ",").append(rs.getString(1));
      }
    }
    return out.toString();
  }
}
