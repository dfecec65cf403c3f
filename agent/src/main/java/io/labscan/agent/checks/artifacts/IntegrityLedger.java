package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.state.PrivateFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where anti-virus integrity files (CHKLIST.MS, ANTI-VIR.DAT ...) were at the previous full
 * scan, per scanned root, kept in {@value #FILE_NAME} in the agent's state folder. Klez
 * deletes these files, so one that disappears between two scans is evidence.
 */
final class IntegrityLedger {
  static final String FILE_NAME = "artifact-integrity.json";
  /** Old AV products left one checksum file per folder; cap what we remember per root. */
  static final int MAX_PATHS_PER_ROOT = 100_000;
  private static final Logger log = LoggerFactory.getLogger(IntegrityLedger.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Map<String, Set<String>> byRoot;

  private IntegrityLedger(Path file, Map<String, Set<String>> byRoot) {
    this.file = file;
    this.byRoot = byRoot;
  }

  /** Reads the ledger; a missing or damaged file is an empty ledger (logged). */
  static IntegrityLedger open(Path stateDir) {
    Path file = requireNonNull(stateDir, "stateDir").resolve(FILE_NAME);
    Map<String, Set<String>> byRoot = new LinkedHashMap<>();
    if (Files.isRegularFile(file)) {
      try {
        JsonNode roots = JSON.readTree(file.toFile()).path("roots");
        for (Map.Entry<String, JsonNode> e : roots.properties()) {
          Set<String> paths = new TreeSet<>();
          for (JsonNode p : e.getValue()) {
            if (p.isTextual() && paths.size() < MAX_PATHS_PER_ROOT) {
              paths.add(p.asText());
            }
          }
          byRoot.put(e.getKey(), paths);
        }
      } catch (IOException | RuntimeException e) {
        log.warn("Integrity-file ledger {} is unreadable ({}); starting afresh.", file, e.getMessage());
        byRoot.clear();
      }
    }
    return new IntegrityLedger(file, byRoot);
  }

  /** Paths (relative to the root, '/'-separated) seen at the previous scan of this root. */
  Set<String> previous(String root) {
    return Set.copyOf(byRoot.getOrDefault(root, Set.of()));
  }

  /** Replaces what is remembered for this root and writes the ledger atomically. */
  void save(String root, Set<String> present) throws IOException {
    Set<String> kept = new TreeSet<>();
    for (String p : present) {
      if (kept.size() >= MAX_PATHS_PER_ROOT) {
        break;
      }
      kept.add(p);
    }
    byRoot.put(root, kept);
    ObjectNode doc = JSON.createObjectNode().put("format", 1);
    ObjectNode roots = doc.putObject("roots");
    byRoot.forEach((r, paths) -> {
      ArrayNode list = roots.putArray(r);
      paths.forEach(list::add);
    });
    Path folder = requireNonNull(file.getParent(), "the state folder"); // file is stateDir/FILE_NAME
    PrivateFiles.folder(folder);
    Path tmp = Files.createTempFile(folder, ".artifact-integrity", ".tmp");
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), doc);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
