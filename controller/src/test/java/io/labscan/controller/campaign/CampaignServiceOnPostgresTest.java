package io.labscan.controller.campaign;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/** Every test of {@link CampaignServiceTest}, on a real PostgreSQL server ({@link PostgresStorage}). */
class CampaignServiceOnPostgresTest extends CampaignServiceTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
