package io.labscan.controller.store;

import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link EgressJudgementTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class EgressJudgementOnPostgresTest extends EgressJudgementTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
