package io.labscan.controller.cli;

import io.labscan.controller.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Opens a database that must already exist: read commands never create an empty one by mistake. */
final class ExistingDatabase {
  private ExistingDatabase() {}

  static Optional<Storage> open(String command, Path db) {
    if (!Files.isRegularFile(db)) {
      System.err.println("labscan-controller " + command + ": database " + db + " does not exist "
          + "(start 'labscan-controller serve --db " + db + "' or import reports first).");
      return Optional.empty();
    }
    return Optional.of(Storage.open(db));
  }
}
