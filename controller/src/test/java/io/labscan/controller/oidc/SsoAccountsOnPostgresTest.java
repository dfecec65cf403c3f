package io.labscan.controller.oidc;

import io.labscan.controller.store.Storage;
import io.labscan.testsupport.PostgresStorage;
import java.nio.file.Path;

/**
 * Every test of {@link SsoAccountsTest} on a real PostgreSQL server ({@link PostgresStorage}):
 * the claims, ties and the verified e-mail kept at login use SQL both engines must run.
 */
class SsoAccountsOnPostgresTest extends SsoAccountsTest {
  @Override
  Storage open(Path file) {
    return PostgresStorage.open(file);
  }
}
