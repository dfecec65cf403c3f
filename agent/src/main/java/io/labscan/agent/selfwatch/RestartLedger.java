package io.labscan.agent.selfwatch;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the agent restarted itself for memory, kept in its state folder ({@value #FILE}, one
 * epoch-millisecond number a line, the newest {@value #KEEP}) so that the back-off of
 * {@link ResourceBudget} survives the restart it counts, and the next process can report the
 * restart in its heartbeats. A missing or damaged file reads as no restarts (the back-off then
 * starts from the beginning: at worst one restart more, never none too many).
 */
public final class RestartLedger {
  private static final Logger log = LoggerFactory.getLogger(RestartLedger.class);
  public static final String FILE = "memory-restarts";
  static final int KEEP = 20;

  private final Path file;

  public RestartLedger(Path stateDir) {
    this.file = requireNonNull(stateDir, "stateDir").resolve(FILE);
  }

  /** The restarts recorded, oldest first. */
  public List<Instant> read() {
    List<Instant> out = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    try (var in = Files.newInputStream(file)) {
      String text = new String(in.readNBytes(4096), StandardCharsets.US_ASCII);
      for (String line : text.split("\n")) {
        try {
          out.add(Instant.ofEpochMilli(Long.parseLong(line.strip())));
        } catch (RuntimeException e) {
          // a damaged line: skipped
        }
      }
    } catch (IOException e) {
      log.warn("Cannot read {}: {}", file, e.toString());
    }
    out.sort(null);
    return out.size() > KEEP ? new ArrayList<>(out.subList(out.size() - KEEP, out.size())) : out;
  }

  /** Adds a restart at {@code at}; written before the agent exits (atomically: all or nothing). */
  public void record(Instant at) throws IOException {
    List<Instant> all = read();
    all.add(requireNonNull(at, "at"));
    List<Instant> kept = all.size() > KEEP ? all.subList(all.size() - KEEP, all.size()) : all;
    StringBuilder text = new StringBuilder();
    kept.forEach(i -> text.append(i.toEpochMilli()).append('\n'));
    Path tmp = file.resolveSibling(FILE + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
