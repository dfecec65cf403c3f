package io.labscan.agent.state;

import io.labscan.agent.Excerpt;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The host id: a UUID generated once and kept in the agent's state folder, so it survives
 * hostname changes, re-addressing and reinstalls that keep the state folder.
 */
public final class HostIdentity {
  static final String FILE_NAME = "host-id";

  private HostIdentity() {}

  /** The host id, when the agent has one (never creates it). */
  public static Optional<String> existing(Path stateDir) {
    Path file = stateDir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    return Optional.of(loadOrCreate(stateDir));
  }

  /**
   * Makes {@code hostId} this agent's host id (replacing the file atomically): the id the
   * controller assigned at enrolment when the one the agent asked for was already known to it,
   * or the id of the host an admin's bound token re-enrols.
   */
  public static void adopt(Path stateDir, String hostId) {
    String id;
    try {
      id = UUID.fromString(hostId).toString();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + Excerpt.of(hostId) + "' is not a host id (a UUID)", e);
    }
    if (!id.equals(hostId)) {
      throw new IllegalArgumentException("'" + Excerpt.of(hostId) + "' is not a lower-case UUID");
    }
    try {
      Files.createDirectories(stateDir);
      Path tmp = Files.createTempFile(stateDir, FILE_NAME, ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, stateDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot store the host id in " + stateDir, e);
    }
  }

  public static String loadOrCreate(Path stateDir) {
    Path file = stateDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
          return UUID.fromString(text).toString();
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException("The host id file " + file + " does not hold a UUID ('"
              + Excerpt.of(text) + "'). Delete it to let the agent generate a new identity.", e);
        }
      }
      PrivateFiles.folder(stateDir);
      String id = UUID.randomUUID().toString();
      Path tmp = Files.createTempFile(stateDir, FILE_NAME, ".tmp");
      Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or create the host id in " + stateDir, e);
    }
  }
}
