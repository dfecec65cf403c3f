package io.labscan.controller.audit;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link AuditLogTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class AuditLogOnPostgresTest extends AuditLogTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
