package io.labscan.controller.store;

import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link HoldingGapAndSilenceStoreTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class HoldingGapAndSilenceStoreOnPostgresTest extends HoldingGapAndSilenceStoreTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
