package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code schedule-state.json} in the agent's state folder, written atomically (temporary
 * file, then rename) so a power cut leaves the old or the new state, never half of one.
 * A missing or unreadable file starts a fresh state dated now: no night before it is owed.
 */
public final class ScheduleStateStore {
  private static final Logger log = LoggerFactory.getLogger(ScheduleStateStore.class);
  public static final String FILE_NAME = "schedule-state.json";
  private static final long MAX_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Clock clock;
  private ScheduleState state;

  public ScheduleStateStore(Path stateDir, Clock clock) {
    this.file = requireNonNull(stateDir, "stateDir").resolve(FILE_NAME);
    this.clock = requireNonNull(clock, "clock");
  }

  public Path file() {
    return file;
  }

  /** The state, read from disk on first use. */
  public synchronized ScheduleState load() {
    if (state == null) {
      Optional<ScheduleState> read = read();
      state = read.orElseGet(() -> ScheduleState.firstStartAt(clock.instant()));
      if (read.isEmpty()) {
        save(state);
      }
    }
    return state;
  }

  public synchronized void recordStarted(Instant occurrence) {
    save(load().withStartedOccurrence(occurrence));
  }

  public synchronized void recordCompletedFullScan(Instant when) {
    save(load().withCompletedFullScan(when));
  }

  private Optional<ScheduleState> read() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new IOException("larger than " + MAX_BYTES + " bytes");
      }
      JsonNode root = JSON.readTree(file.toFile());
      Instant first = Instant.parse(root.path("firstStart").asText());
      return Optional.of(new ScheduleState(first, optionalInstant(root, "lastCompletedFullScan"),
          optionalInstant(root, "lastStartedOccurrence")));
    } catch (IOException | RuntimeException e) { // DateTimeParseException included
      log.warn("Ignoring unreadable {} ({}); starting a fresh schedule state.", file, e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<Instant> optionalInstant(JsonNode root, String field) {
    JsonNode n = root.get(field);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(Instant.parse(n.asText()));
  }

  private void save(ScheduleState s) {
    state = s;
    ObjectNode root = JSON.createObjectNode();
    root.put("version", 1);
    root.put("firstStart", s.firstStart().toString());
    s.lastCompletedFullScan().ifPresent(t -> root.put("lastCompletedFullScan", t.toString()));
    s.lastStartedOccurrence().ifPresent(t -> root.put("lastStartedOccurrence", t.toString()));
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".schedule-state", ".tmp");
      try {
        Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      // The state stays in memory: this run still schedules correctly; only a restart forgets.
      log.warn("Cannot write {}: {}", file, e.getMessage());
    }
  }
}
