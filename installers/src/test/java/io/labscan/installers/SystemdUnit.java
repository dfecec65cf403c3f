package io.labscan.installers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A systemd unit file read the way systemd reads it (systemd.syntax(7)): sections, repeated
 * keys kept in order, '#' and ';' comment lines, backslash line continuation.
 */
record SystemdUnit(Map<String, Map<String, List<String>>> sections) {

  static SystemdUnit read(Path file) throws IOException {
    Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
    Map<String, List<String>> current = null;
    StringBuilder pending = new StringBuilder();
    for (String raw : Files.readAllLines(file)) {
      String line = raw.strip();
      if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      line = pending.append(line).toString();
      pending.setLength(0);
      if (line.startsWith("[") && line.endsWith("]")) {
        current = sections.computeIfAbsent(line.substring(1, line.length() - 1), s -> new LinkedHashMap<>());
        continue;
      }
      int eq = line.indexOf('=');
      if (current == null || eq <= 0) {
        throw new IOException(file + ": not a unit file line: " + raw);
      }
      current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
          .add(line.substring(eq + 1).strip());
    }
    return new SystemdUnit(sections);
  }

  /** Every value of {@code key} in {@code section}, in file order; empty when absent. */
  List<String> values(String section, String key) {
    return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
  }

  /** The value systemd uses for a single-valued key: the last one written. */
  String value(String section, String key) {
    List<String> values = values(section, key);
    return values.isEmpty() ? "" : values.get(values.size() - 1);
  }
}
