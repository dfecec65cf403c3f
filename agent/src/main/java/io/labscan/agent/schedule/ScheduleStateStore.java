package io.labscan.agent.schedule;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.state.PrivateFiles;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * {@code schedule-state.json} in the agent's state folder, written atomically (temporary
 * file, then rename) so a power cut leaves the old or the new state, never half of one.
 * A missing or unreadable file starts a fresh state dated now: no night before it is owed.
 * Read and written with Jackson's streaming API (jackson-core), not its data binding: three
 * fields do not justify loading an object mapper into the resident daemon.
 */
public final class ScheduleStateStore {
  private static final Logger log = LoggerFactory.getLogger(ScheduleStateStore.class);
  public static final String FILE_NAME = "schedule-state.json";
  private static final long MAX_BYTES = 64 * 1024;
  private static final JsonFactory JSON = new JsonFactory();

  private final Path file;
  private final Clock clock;
  /** Null until first read (see {@link #load}). */
  private @Nullable ScheduleState state;

  public ScheduleStateStore(Path stateDir, Clock clock) {
    this.file = requireNonNull(stateDir, "stateDir").resolve(FILE_NAME);
    this.clock = requireNonNull(clock, "clock");
  }

  public Path file() {
    return file;
  }

  /** The state on disk, read without writing anything (for {@code labscan-agent status}). */
  public synchronized Optional<ScheduleState> peek() {
    return state != null ? Optional.of(state) : read();
  }

  /** The state, read from disk on first use. */
  public synchronized ScheduleState load() {
    ScheduleState s = state;
    if (s == null) {
      Optional<ScheduleState> read = read();
      s = read.orElseGet(() -> ScheduleState.firstStartAt(clock.instant()));
      state = s;
      if (read.isEmpty()) {
        save(s);
      }
    }
    return s;
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
      Map<String, String> fields = readTopLevelStrings(file);
      Instant first = Instant.parse(String.valueOf(fields.get("firstStart")));
      return Optional.of(new ScheduleState(first, optionalInstant(fields, "lastCompletedFullScan"),
          optionalInstant(fields, "lastStartedOccurrence")));
    } catch (IOException | RuntimeException e) { // DateTimeParseException included
      log.warn("Ignoring unreadable {} ({}); starting a fresh schedule state.", file, e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<Instant> optionalInstant(Map<String, String> fields, String field) {
    String text = fields.get(field);
    return text == null ? Optional.empty() : Optional.of(Instant.parse(text));
  }

  /** The object's top-level scalar fields as text (null values left out; nested values skipped). */
  private static Map<String, String> readTopLevelStrings(Path file) throws IOException {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser p = JSON.createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          p.skipChildren();
        } else if (value != JsonToken.VALUE_NULL) {
          fields.put(name, p.getText());
        }
      }
      if (t != JsonToken.END_OBJECT) {
        throw new IOException("unexpected " + t);
      }
    }
    return fields;
  }

  private static byte[] write(ScheduleState s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(bytes)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeNumberField("version", 1);
      g.writeStringField("firstStart", s.firstStart().toString());
      if (s.lastCompletedFullScan().isPresent()) {
        g.writeStringField("lastCompletedFullScan", s.lastCompletedFullScan().get().toString());
      }
      if (s.lastStartedOccurrence().isPresent()) {
        g.writeStringField("lastStartedOccurrence", s.lastStartedOccurrence().get().toString());
      }
      g.writeEndObject();
    }
    return bytes.toByteArray();
  }

  private void save(ScheduleState s) {
    state = s;
    try {
      Path folder = requireNonNull(file.getParent(), "the state folder"); // file is stateDir/FILE_NAME
      PrivateFiles.folder(folder);
      Path tmp = Files.createTempFile(folder, ".schedule-state", ".tmp");
      try {
        Files.write(tmp, write(s));
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
