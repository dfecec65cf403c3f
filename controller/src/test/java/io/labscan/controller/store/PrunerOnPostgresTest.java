package io.labscan.controller.store;

import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link PrunerTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class PrunerOnPostgresTest extends PrunerTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
