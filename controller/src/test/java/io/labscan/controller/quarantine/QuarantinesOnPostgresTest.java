package io.labscan.controller.quarantine;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link QuarantinesTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class QuarantinesOnPostgresTest extends QuarantinesTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
