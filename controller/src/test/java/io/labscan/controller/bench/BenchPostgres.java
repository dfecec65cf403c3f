package io.labscan.controller.bench;

import io.labscan.testsupport.PostgresServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * The test PostgreSQL server ({@link PostgresServer}) set up for benchmarks: the test server
 * runs with {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} off (tests
 * need speed, not durability), which would flatter PostgreSQL against SQLite's
 * {@code synchronous=FULL}. Here they are back to PostgreSQL's defaults (a commit waits for its
 * WAL flush, as a deployment runs), with a deployment-sized buffer pool, checkpoints no more
 * often than every 2 GB of WAL, and {@code pg_stat_statements} preloaded so a step's statement
 * count can be read.
 */
final class BenchPostgres {
  static final List<String> SETTINGS = List.of(
      "fsync = on", "synchronous_commit = on", "full_page_writes = on", "shared_buffers = '512MB'",
      "max_wal_size = '2GB'", "max_connections = 100", "shared_preload_libraries = 'pg_stat_statements'",
      "maintenance_work_mem = '512MB'");

  private BenchPostgres() {}

  static PostgresServer start() throws Exception {
    PostgresServer server = PostgresServer.start();
    try (Connection c = server.superuser("postgres"); Statement st = c.createStatement()) {
      for (String setting : SETTINGS) {
        st.execute("ALTER SYSTEM SET " + setting.replace(" = ", " TO "));
      }
    }
    server.restart();
    try (Connection c = server.superuser("postgres"); Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'),"
            + " current_setting('shared_buffers')")) {
      rs.next();
      ControllerLoadTest.log("PostgreSQL %s on 127.0.0.1:%d; fsync %s, synchronous_commit %s, shared_buffers %s",
          rs.getString(1).replaceAll(" on .*", ""), server.port(), rs.getString(2), rs.getString(3), rs.getString(4));
    }
    return server;
  }
}
