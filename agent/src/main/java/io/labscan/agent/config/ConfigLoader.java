package io.labscan.agent.config;

import io.labscan.agent.Excerpt;
import io.labscan.contract.enrolment.EnrolmentToken;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code agent.yaml}. Unknown keys are errors: a typo must not silently change behaviour.
 *
 * <p>The file is flat ({@code key: value} lines), so it is read as a SnakeYAML node tree, which
 * also gives every key's line for the messages; no object mapper. (Jackson's data binding made
 * the resident {@code run} daemon load ~500 classes to read seven strings once.)
 */
public final class ConfigLoader {
  static final List<String> KEYS = List.of("controller", "insecure", "stateDir", "lab", "scanRoot", "token", "enroll");
  /** A config file is a few lines; anything this large is not one. */
  static final long MAX_BYTES = 64 * 1024;

  private ConfigLoader() {}

  /**
   * The file's keys, each null when absent; {@code lines} says where each key is written, for
   * error messages.
   */
  record FileShape(@Nullable String controller, @Nullable Boolean insecure, @Nullable String stateDir,
      @Nullable String lab, @Nullable String scanRoot, @Nullable String token, @Nullable String enroll,
      Map<String, Integer> lines) {
    String lineOf(String key) {
      Integer line = lines.get(key);
      return line == null ? "?" : line.toString();
    }
  }

  public static AgentConfig load(Path file) throws ConfigException {
    FileShape shape;
    try {
      if (Files.size(file) == 0) {
        return AgentConfig.defaults();
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new ConfigException("Config file " + file + " is larger than " + MAX_BYTES + " bytes: not a config file.");
      }
      shape = parse(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Config file " + file + " does not exist.");
    } catch (IOException e) {
      throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
    }
    AgentConfig d = AgentConfig.defaults();
    Optional<String> controller = Optional.ofNullable(shape.controller()).map(String::trim)
        .filter(s -> !s.isEmpty());
    if (controller.isPresent()) {
      try {
        controller = Optional.of(ControllerAddresses.join(ControllerAddresses.parse(controller.get())));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("Config file " + file + ": controller at line " + shape.lineOf("controller")
            + ": " + e.getMessage() + ".");
      }
    }
    Optional<String> enroll = Optional.ofNullable(shape.enroll()).map(String::trim).filter(s -> !s.isEmpty());
    if (enroll.isPresent()) {
      validateTarget(file, "enroll", enroll.get());
    }
    Optional<EnrolmentToken> token = Optional.empty();
    if (shape.token() != null && !shape.token().isBlank()) {
      try {
        token = Optional.of(EnrolmentToken.parse(shape.token()));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("Config file " + file + ": token at line " + shape.lineOf("token") + ": "
            + e.getMessage());
      }
    }
    return new AgentConfig(
        controller,
        shape.insecure() != null && shape.insecure(),
        shape.stateDir() == null ? d.stateDir() : Path.of(shape.stateDir()),
        shape.lab() == null ? "" : shape.lab().trim(),
        shape.scanRoot() == null ? d.scanRoot() : Path.of(shape.scanRoot()),
        token,
        enroll);
  }

  private static FileShape parse(Path file) throws IOException, ConfigException {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(10);
    options.setCodePointLimit((int) MAX_BYTES);
    Node root;
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      root = new Yaml(options).compose(in);
    } catch (MarkedYAMLException e) {
      throw new ConfigException("Config file " + file + " is not valid: " + e.getProblem()
          + (e.getProblemMark() != null ? " (line " + line(e.getProblemMark()) + ")" : ""));
    } catch (YAMLException e) {
      throw new ConfigException("Config file " + file + " is not valid: " + e.getMessage());
    }
    if (root == null || (root instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL))) {
      return new FileShape(null, null, null, null, null, null, null, Map.of());
    }
    if (!(root instanceof MappingNode mapping)) {
      throw new ConfigException("Config file " + file + " is not valid: expected 'key: value' lines (line "
          + line(root.getStartMark()) + ")");
    }
    Map<String, String> values = new HashMap<>();
    Map<String, Integer> lines = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (NodeTuple entry : mapping.getValue()) {
      if (!(entry.getKeyNode() instanceof ScalarNode keyNode)) {
        throw new ConfigException("Config file " + file + " is not valid: a key at line "
            + line(entry.getKeyNode().getStartMark()) + " is not a name.");
      }
      String key = keyNode.getValue();
      int keyLine = line(keyNode.getStartMark());
      if (!KEYS.contains(key)) {
        throw new ConfigException("Config file " + file + ": unknown key '" + Excerpt.of(key) + "' at line " + keyLine
            + ". Known keys: " + String.join(", ", KEYS) + ".");
      }
      if (!seen.add(key)) {
        throw new ConfigException("Config file " + file + ": '" + key + "' is written twice (again at line "
            + keyLine + ").");
      }
      lines.put(key, keyLine);
      if ("controller".equals(key) && entry.getValueNode() instanceof SequenceNode list) {
        values.put(key, controllerList(file, list));
        continue;
      }
      if (!(entry.getValueNode() instanceof ScalarNode value)) {
        throw new ConfigException("Config file " + file + ": '" + key + "' at line " + keyLine
            + " must be a single value, not a list or a section"
            + ("controller".equals(key) ? " (controller: a HOST:PORT, or a list of them)." : "."));
      }
      if (!value.getTag().equals(Tag.NULL)) {
        values.put(key, value.getValue());
      }
    }
    return new FileShape(values.get("controller"), bool(file, values.get("insecure"), lines.get("insecure")),
        values.get("stateDir"), values.get("lab"), values.get("scanRoot"), values.get("token"), values.get("enroll"),
        Map.copyOf(lines));
  }

  /**
   * A YAML list of controller addresses, as the one-line form ({@code a:1,b:2}); each item must be
   * one address (validated with the others in {@link #load}).
   */
  private static String controllerList(Path file, SequenceNode list) throws ConfigException {
    if (list.getValue().isEmpty()) {
      throw new ConfigException("Config file " + file + ": controller at line " + line(list.getStartMark())
          + " is an empty list: give at least one HOST:PORT.");
    }
    List<String> items = new java.util.ArrayList<>();
    for (Node item : list.getValue()) {
      if (!(item instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)
          || scalar.getValue().contains(",")) {
        throw new ConfigException("Config file " + file + ": controller list item at line "
            + line(item.getStartMark()) + " must be one HOST:PORT.");
      }
      items.add(scalar.getValue());
    }
    return String.join(",", items);
  }

  private static @Nullable Boolean bool(Path file, @Nullable String text, @Nullable Integer line)
      throws ConfigException {
    if (text == null) {
      return null;
    }
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw new ConfigException("Config file " + file + " is not valid: insecure (line "
          + line + ") must be true or false, not '" + Excerpt.of(text) + "'.");
    };
  }

  private static int line(Mark mark) {
    return mark.getLine() + 1;
  }

  static void validateTarget(Path file, String key, String target) throws ConfigException {
    int colon = target.lastIndexOf(':');
    boolean ok = colon > 0 && colon < target.length() - 1;
    if (ok) {
      try {
        int port = Integer.parseInt(target.substring(colon + 1));
        ok = port > 0 && port < 65536;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new ConfigException("Config file " + file + ": " + key + " '" + target
          + "' is not HOST:PORT (for example controller.example.edu:7443).");
    }
  }

  /** A configuration problem, with a message fit for the operator. */
  public static final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }
}
