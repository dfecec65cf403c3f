package io.labscan.agent.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.labscan.agent.trust.EnrolmentToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/** Reads {@code agent.yaml}. Unknown keys are errors: a typo must not silently change behaviour. */
public final class ConfigLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ConfigLoader() {}

  /** The file's shape; every key optional. */
  record FileShape(
      @JsonProperty("controller") String controller,
      @JsonProperty("insecure") Boolean insecure,
      @JsonProperty("stateDir") String stateDir,
      @JsonProperty("lab") String lab,
      @JsonProperty("scanRoot") String scanRoot,
      @JsonProperty("token") String token,
      @JsonProperty("enroll") String enroll) {}

  public static AgentConfig load(Path file) throws ConfigException {
    FileShape shape;
    try {
      if (Files.size(file) == 0) {
        return AgentConfig.defaults();
      }
      shape = YAML.readValue(file.toFile(), FileShape.class);
    } catch (NoSuchFileException e) {
      throw new ConfigException("Config file " + file + " does not exist.");
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException("Config file " + file + ": unknown key '" + e.getPropertyName()
          + "' at line " + lineOf(file, e.getPropertyName()) + ". Known keys: controller, insecure, "
          + "stateDir, lab, scanRoot, token, enroll.");
    } catch (JsonMappingException e) {
      throw new ConfigException("Config file " + file + " is not valid: " + e.getOriginalMessage()
          + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
    } catch (IOException e) {
      throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage());
    }
    if (shape == null) {
      return AgentConfig.defaults();
    }
    AgentConfig d = AgentConfig.defaults();
    Optional<String> controller = Optional.ofNullable(shape.controller()).map(String::trim)
        .filter(s -> !s.isEmpty());
    if (controller.isPresent()) {
      validateTarget(file, "controller", controller.get());
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
        throw new ConfigException("Config file " + file + ": token at line " + lineOf(file, "token") + ": "
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

  /** The line where a top-level key is written (Jackson reports the position after its value). */
  private static String lineOf(Path file, String key) {
    try {
      java.util.List<String> lines = Files.readAllLines(file);
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).matches("\\s*\"?" + java.util.regex.Pattern.quote(key) + "\"?\\s*:.*")) {
          return Integer.toString(i + 1);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through: the key name alone still tells the operator what to fix
    }
    return "?";
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
