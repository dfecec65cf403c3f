package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link GroupedIngestTest} on a real PostgreSQL server ({@link PostgresStorage}),
 * where two stores on one database are two controllers; and the same night stored on SQLite and
 * on PostgreSQL gives the same rows.
 */
class GroupedIngestOnPostgresTest extends GroupedIngestTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }

  @Test
  void theSameReportsGiveTheSameRowsOnSqliteAndOnPostgresql() {
    String known = TestReports.newHostId();
    List<Report> night = night(known);
    Report yesterday = yesterday(known);
    try (Storage sqlite = Storage.open(dir.resolve("sqlite.db")); Storage postgres = open(dir.resolve("pg.db"))) {
      prepare(sqlite, yesterday);
      prepare(postgres, yesterday);

      assertThat(ingestQueuedTogether(postgres, night)).isEqualTo(ingestQueuedTogether(sqlite, night));
      for (String table : INGEST_TABLES) {
        assertThat(dump(postgres, table)).as(table).isEqualTo(dump(sqlite, table));
      }
    }
  }
}
