package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays a scan worker's stderr into the daemon's log, one log event per line. Lines are cut
 * at {@link #MAX_LINE_CHARS} (the rest of such a line is dropped), so a runaway line cannot
 * grow the daemon's small heap.
 */
final class WorkerLog {
  private static final Logger log = LoggerFactory.getLogger(WorkerLog.class);
  static final int MAX_LINE_CHARS = 4096;

  private WorkerLog() {}

  /** Starts a daemon thread that logs each line of {@code stderr} until it ends. */
  static void relay(InputStream stderr, long pid) {
    requireNonNull(stderr, "stderr");
    Thread t = new Thread(() -> copyLines(new InputStreamReader(stderr, StandardCharsets.UTF_8),
        line -> log.info("[worker {}] {}", pid, line)), "labscan-worker-log-" + pid);
    t.setDaemon(true);
    t.start();
  }

  /** Hands each line of {@code in} (without its line end, cut at the limit) to {@code sink}. */
  static void copyLines(Reader in, Consumer<String> sink) {
    StringBuilder line = new StringBuilder();
    boolean cut = false;
    try (Reader r = in) {
      int c;
      while ((c = r.read()) >= 0) {
        if (c == '\n') {
          sink.accept(stripCr(line));
          line.setLength(0);
          cut = false;
        } else if (line.length() < MAX_LINE_CHARS) {
          line.append((char) c);
        } else if (!cut) {
          line.append(" [cut]");
          cut = true;
        }
      }
    } catch (IOException e) {
      // the worker is gone: nothing more to relay
    }
    if (line.length() > 0) {
      sink.accept(stripCr(line));
    }
  }

  private static String stripCr(StringBuilder line) {
    int n = line.length();
    return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
  }
}
