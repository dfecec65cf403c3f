package io.labscan.controller.verdict;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link VerdictServiceTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class VerdictServiceOnPostgresTest extends VerdictServiceTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
