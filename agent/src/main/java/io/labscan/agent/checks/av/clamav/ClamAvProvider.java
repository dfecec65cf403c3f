package io.labscan.agent.checks.av.clamav;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.av.AvContext;
import io.labscan.agent.checks.av.AvDetection;
import io.labscan.agent.checks.av.AvProvider;
import io.labscan.agent.checks.av.AvText;
import io.labscan.agent.checks.av.BoundedFiles;
import io.labscan.agent.checks.av.Freshness;
import io.labscan.agent.checks.av.RootedPaths;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * ClamAV, from its database files under the scan root, so it works on Linux, macOS and
 * Windows, live or offline. Nothing is executed: the engine version is not in the files and
 * stays empty.
 *
 * <p>Database directories come from {@code DatabaseDirectory} in the known configuration
 * files; only when no configuration names one are the packaging defaults searched. Each
 * directory holding databases is reported as one product. Per database ({@code main},
 * {@code daily}, {@code bytecode}) the {@code .cvd} or {@code .cld} with the higher version
 * is the one ClamAV loads. Freshness follows the newest build time among them (normally
 * daily's). A database whose header cannot be read makes the directory UNKNOWN: ClamAV itself
 * refuses to load a malformed database, so its protection is in doubt.
 */
public final class ClamAvProvider implements AvProvider {
  public static final String NAME = "clamav";
  static final String PRODUCT = "ClamAV";

  /** Configuration files that may set DatabaseDirectory (freshclam's first, clamd's second). */
  static final List<String> CONFIG_FILES = List.of(
      "/etc/clamav/freshclam.conf",
      "/etc/freshclam.conf",
      "/usr/local/etc/freshclam.conf",
      "/opt/homebrew/etc/clamav/freshclam.conf",
      "/usr/local/etc/clamav/freshclam.conf",
      "C:\\Program Files\\ClamAV\\freshclam.conf",
      "C:\\Program Files (x86)\\ClamAV\\freshclam.conf",
      "/etc/clamav/clamd.conf",
      "/etc/clamd.d/scan.conf",
      "/usr/local/etc/clamd.conf",
      "/opt/homebrew/etc/clamav/clamd.conf",
      "/usr/local/etc/clamav/clamd.conf",
      "C:\\Program Files\\ClamAV\\clamd.conf",
      "C:\\Program Files (x86)\\ClamAV\\clamd.conf");

  /** Where packages put the databases when no configuration says otherwise. */
  static final List<String> DEFAULT_DATABASE_DIRECTORIES = List.of(
      "/var/lib/clamav",
      "/usr/local/share/clamav",
      "/opt/homebrew/var/lib/clamav",
      "/usr/local/var/lib/clamav",
      "/opt/local/share/clamav",
      "C:\\Program Files\\ClamAV\\database",
      "C:\\Program Files (x86)\\ClamAV\\database");

  static final List<String> DATABASES = List.of("main", "daily", "bytecode");
  private static final int MAX_CONFIG_BYTES = 1 << 20;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AvDetection detect(AvContext context) {
    requireNonNull(context, "context");
    RootedPaths paths = new RootedPaths(context.root());
    List<String> problems = new ArrayList<>();

    List<Path> configs = new ArrayList<>();
    Map<String, Path> configuredDirectories = new LinkedHashMap<>();
    for (String candidate : CONFIG_FILES) {
      Optional<Path> config = paths.resolve(candidate).filter(BoundedFiles::isRegularFile);
      if (config.isEmpty()) {
        continue;
      }
      configs.add(config.get());
      try {
        String text = new String(
            BoundedFiles.readAll(config.get(), MAX_CONFIG_BYTES), StandardCharsets.UTF_8);
        ClamAvConfig.databaseDirectory(text)
            .ifPresent(dir -> configuredDirectories.putIfAbsent(dir, config.get()));
      } catch (IOException e) {
        problems.add("could not read " + paths.display(config.get()) + ": "
            + BoundedFiles.describe(e));
      }
    }

    List<String> searched = configuredDirectories.isEmpty()
        ? DEFAULT_DATABASE_DIRECTORIES : List.copyOf(configuredDirectories.keySet());
    List<AvStatus> statuses = new ArrayList<>();
    Set<Object> seen = new LinkedHashSet<>();
    for (String directory : searched) {
      Optional<Path> resolved = paths.resolve(directory)
          .filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
      if (resolved.isEmpty() || !seen.add(identity(resolved.get()))) {
        continue;
      }
      databaseStatus(paths, resolved.get(), context).ifPresent(statuses::add);
    }

    if (statuses.isEmpty() && !configs.isEmpty()) {
      statuses.add(configuredWithoutDatabases(paths, configs, configuredDirectories, searched));
    }
    return new AvDetection(statuses, statuses.isEmpty() ? problems : List.of());
  }

  /** A status for one database directory, or empty when it holds no database. */
  private static Optional<AvStatus> databaseStatus(
      RootedPaths paths, Path directory, AvContext context) {
    List<Database> chosen = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String base : DATABASES) {
      List<Database> copies = new ArrayList<>();
      for (String extension : List.of(".cvd", ".cld")) {
        Optional<Path> file = paths.child(directory, base + extension);
        if (file.isEmpty()) {
          continue;
        }
        String fileName = file.get().getFileName().toString();
        CvdHeader.Result result = read(file.get());
        if (result instanceof CvdHeader.Parsed parsed) {
          copies.add(new Database(fileName, parsed.header()));
        } else if (result instanceof CvdHeader.Malformed malformed) {
          problems.add(AvText.clean(fileName, 60) + ": " + malformed.problem());
        }
      }
      copies.stream()
          .max(Comparator.comparingInt((Database d) -> d.header().version())
              .thenComparing(d -> d.header().buildTime()))
          .ifPresent(chosen::add);
    }
    if (chosen.isEmpty() && problems.isEmpty()) {
      return Optional.empty();
    }
    String where = paths.display(directory);
    AvStatus.Builder status = AvStatus.newBuilder()
        .setProvider(NAME)
        .setProduct(PRODUCT)
        .setSource(where);
    Optional<Database> daily = chosen.stream().filter(Database::isDaily).findFirst();
    daily.ifPresent(d -> status.setDefinitionsVersion(Integer.toString(d.header().version())));
    if (!problems.isEmpty()) {
      return Optional.of(status
          .setState(AvState.AV_STATE_UNKNOWN)
          .setReason("cannot read ClamAV databases in " + where + ": "
              + String.join("; ", problems))
          .build());
    }
    Database newest = chosen.stream()
        .max(Comparator.comparing(d -> d.header().buildTime()))
        .orElseThrow();
    Freshness freshness = Freshness.assess(
        AvText.clean(newest.fileName(), 60) + " built "
            + AvText.instant(newest.header().buildTime()),
        newest.header().buildTime(), context);
    freshness.applyTo(status);
    status.setReason(status.getReason() + "; in use: " + describe(chosen)
        + (daily.isPresent() ? "" : "; no daily database"));
    return Optional.of(status.build());
  }

  private static CvdHeader.Result read(Path file) {
    try {
      return CvdHeader.parse(BoundedFiles.readPrefix(file, CvdHeader.LENGTH));
    } catch (IOException e) {
      return new CvdHeader.Malformed("cannot read: " + BoundedFiles.describe(e));
    }
  }

  private static String describe(List<Database> databases) {
    List<String> parts = new ArrayList<>();
    for (Database d : databases) {
      parts.add(AvText.clean(d.fileName(), 60) + " version " + d.header().version());
    }
    return String.join(", ", parts);
  }

  private static AvStatus configuredWithoutDatabases(RootedPaths paths, List<Path> configs,
      Map<String, Path> configuredDirectories, List<String> searched) {
    String reason;
    Path config;
    if (configuredDirectories.isEmpty()) {
      config = configs.get(0);
      reason = "ClamAV is configured (" + paths.display(config) + ") but no database"
          + " (main, daily, bytecode as .cvd or .cld) is in " + String.join(", ", searched);
    } else {
      Map.Entry<String, Path> first = configuredDirectories.entrySet().iterator().next();
      config = first.getValue();
      reason = paths.display(config) + " sets DatabaseDirectory "
          + AvText.quote(first.getKey()) + ", which holds no ClamAV database";
    }
    return AvStatus.newBuilder()
        .setProvider(NAME)
        .setProduct(PRODUCT)
        .setState(AvState.AV_STATE_STALE)
        .setReason(reason)
        .setSource(paths.display(config))
        .build();
  }

  /** The same directory reached by two names (case, hard-linked mounts) counts once. */
  private static Object identity(Path directory) {
    try {
      Object key = Files.readAttributes(directory, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).fileKey();
      return key != null ? key : directory;
    } catch (IOException e) {
      return directory;
    }
  }

  private record Database(String fileName, CvdHeader header) {
    boolean isDaily() {
      return fileName.toLowerCase(Locale.ROOT).startsWith("daily.");
    }
  }
}
