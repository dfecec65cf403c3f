package io.labscan.controller.store;

import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link MailServerEvidenceTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class MailServerEvidenceOnPostgresTest extends MailServerEvidenceTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
