package io.labscan.controller.store;

import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link SweepEvidenceTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class SweepEvidenceOnPostgresTest extends SweepEvidenceTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
