package io.labscan.controller.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

/** Every test of {@link ApiTokensTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class ApiTokensOnPostgresTest extends ApiTokensTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }

  /** Every row of the tokens table, as text: where the secret would be if it were stored. */
  @Override
  String everythingStored() throws Exception {
    StringBuilder all = new StringBuilder();
    try (Connection c = PostgresStorage.database(dir.resolve("c.db")).connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT CAST(t AS text) FROM api_tokens AS t")) {
      while (rs.next()) {
        all.append(rs.getString(1)).append('\n');
      }
    }
    assertThat(all).as("the tokens table holds the token").isNotEmpty();
    return all.toString();
  }
}
