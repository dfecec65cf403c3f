package io.labscan.controller.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code labscan-controller} commands run as an operator would: the real jar in its own JVM,
 * beside the running controllers, on the same database (the SQLite file, or the PostgreSQL URL
 * with its password file). Every call is logged to a file.
 */
final class ControllerCli {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path jar;
  private final List<String> database;
  private final Map<String, List<String>> extra;
  private final Path logDir;
  private final AtomicInteger calls = new AtomicInteger();

  /**
   * @param database the options naming the database: {@code --db FILE}, or {@code --db URL
   *     --db-password-file F}
   * @param extra options a command needs besides, by command (with PostgreSQL, {@code
   *     enroll-token} needs the controllers' {@code --pki-dir}: no CA lives beside a database file)
   */
  ControllerCli(Path jar, List<String> database, Map<String, List<String>> extra, Path logDir) {
    this.jar = requireNonNull(jar, "jar");
    this.database = List.copyOf(database);
    this.extra = Map.copyOf(extra);
    this.logDir = requireNonNull(logDir, "logDir");
  }

  /** Runs {@code labscan-controller COMMAND --db DB [--db-password-file F] ARGS...}. */
  Commands.Result run(String command, String... args) throws IOException {
    List<String> full = new ArrayList<>(Java.command(Java.SHORT_LIVED));
    full.addAll(List.of("-jar", jar.toString(), command));
    full.addAll(database);
    full.addAll(extra.getOrDefault(command, List.of()));
    full.addAll(List.of(args));
    Commands.Result r = Commands.run(full, Duration.ofSeconds(90));
    Files.createDirectories(logDir);
    Files.writeString(logDir.resolve(String.format("cli-%02d-%s.log", calls.incrementAndGet(), command)),
        String.join(" ", full) + "\nexit " + r.exit() + "\n---- stdout\n" + r.out() + "---- stderr\n" + r.err());
    return r;
  }

  /** Runs a command that must succeed and prints JSON on standard output. */
  JsonNode json(String command, String... args) throws IOException {
    Commands.Result r = run(command, args).orThrow();
    return JSON.readTree(r.out());
  }
}
