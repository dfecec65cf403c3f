package io.labscan.controller.cli;

import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * {@code triage}'s {@code [--db FILE_OR_URL]}: as {@link DatabaseOptions}, but optional (triage
 * without a database explains the origin only).
 */
final class OptionalDatabaseOptions extends DatabaseSelection {
  @Option(names = "--db", paramLabel = "FILE_OR_URL",
      description = "Controller database (SQLite file or postgresql:// URL, as for serve). Without it, or when "
          + "the SQLite file does not exist (it is not created), only the origin and its explanation are given: "
          + "no fleet data is used.")
  @Nullable String value;

  @Override
  Optional<String> value() {
    return Optional.ofNullable(value);
  }
}
