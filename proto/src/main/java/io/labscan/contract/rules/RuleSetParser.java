package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.labscan.proto.v1.FindingSeverity;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a rule set from YAML (or JSON, which YAML includes) and checks every field, so a
 * rule set pushed by the controller either loads completely or is refused with a message
 * naming the line (syntax errors) or the field (wrong values), e.g.
 * {@code rules.yaml: files[2].name: '[' at position 5 is never closed}.
 */
final class RuleSetParser {
  private final Map<String, FindingSeverity> severities = new java.util.HashMap<>();
  static final int FORMAT = 1;
  static final int MAX_BYTES = 4 << 20;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");
  private static final Pattern SET_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,10}");
  private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().build())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String source;

  private RuleSetParser(String source) {
    this.source = source;
  }

  static RuleSet parse(String source, InputStream in) throws RuleParseException, IOException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new RuleParseException(source, "larger than " + (MAX_BYTES >> 20) + " MiB");
    }
    JsonNode root;
    try {
      root = YAML.readTree(bytes);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? 0 : Math.max(0, at.getLineNr());
      throw new RuleParseException(source, line, "not valid YAML: " + Printable.of(firstLine(e.getOriginalMessage())));
    } catch (JacksonException | RuntimeException e) {
      // The YAML library may throw its own unchecked exceptions on hostile input.
      throw new RuleParseException(source, "not valid YAML: " + Printable.of(firstLine(String.valueOf(e.getMessage()))));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new RuleParseException(source, "empty rule set");
    }
    return new RuleSetParser(source).ruleSet(root);
  }

  private RuleSet ruleSet(JsonNode root) throws RuleParseException {
    fields(root, "", Set.of("format", "version", "description", "folders", "files", "registry",
        "integrityFiles", "hdb", "hsb", "ndb"));
    JsonNode format = required(root, "format", "");
    if (!format.isIntegralNumber() || format.asInt() != FORMAT) {
      throw fail("format", "must be " + FORMAT + " (this agent reads rule-set format " + FORMAT + ")");
    }
    String version = text(root, "version", "", true);
    if (!VERSION.matcher(version).matches()) {
      throw fail("version", "must be 1-64 letters, digits, '.', '_', '+' or '-'");
    }
    String description = root.has("description") ? text(root, "description", "", true) : "";
    Map<String, List<FolderPattern>> folders = folders(root.get("folders"));
    Set<String> ids = new HashSet<>();
    List<FileRule> files = new ArrayList<>();
    JsonNode fileNodes = root.get("files");
    if (fileNodes != null) {
      for (int i = 0; i < list(fileNodes, "files").size(); i++) {
        FileRule rule = fileRule(fileNodes.get(i), "files[" + i + "]", folders);
        unique(ids, rule.id(), "files[" + i + "].id");
        files.add(rule);
      }
    }
    List<RegistryRule> registry = new ArrayList<>();
    JsonNode registryNodes = root.get("registry");
    if (registryNodes != null) {
      for (int i = 0; i < list(registryNodes, "registry").size(); i++) {
        RegistryRule rule = registryRule(registryNodes.get(i), "registry[" + i + "]");
        unique(ids, rule.id(), "registry[" + i + "].id");
        registry.add(rule);
      }
    }
    RuleSet.IntegrityFiles integrity = RuleSet.IntegrityFiles.NONE;
    if (root.has("integrityFiles")) {
      integrity = integrityFiles(root.get("integrityFiles"));
      unique(ids, integrity.id(), "integrityFiles.id");
    }
    Signatures signatures = Signatures.empty();
    for (Signatures.Format f : Signatures.Format.values()) {
      String key = f.name().toLowerCase(Locale.ROOT);
      if (root.has(key)) {
        String text = text(root, key, "", false);
        signatures = signatures.plus(Signatures.parse(source + " (" + key + ")", text, f));
      }
    }
    return new RuleSet(source, version, description, folders, files, registry, integrity, signatures, severities);
  }

  /**
   * Reads a rule's optional {@code severity} ({@code infection} or {@code suspicious}),
   * remembering it by rule id; rules without one get {@code fallback}.
   */
  private void severity(JsonNode node, String path, String id, FindingSeverity fallback) throws RuleParseException {
    FindingSeverity severity = fallback;
    if (node.has("severity")) {
      String text = text(node, "severity", path, true).toLowerCase(Locale.ROOT);
      severity = switch (text) {
        case "infection" -> FindingSeverity.FINDING_SEVERITY_INFECTION;
        case "suspicious" -> FindingSeverity.FINDING_SEVERITY_SUSPICIOUS;
        default -> throw fail(path + ".severity", "must be 'infection' or 'suspicious', not '" + Printable.of(text) + "'");
      };
    }
    severities.put(id, severity);
  }

  private Map<String, List<FolderPattern>> folders(JsonNode node) throws RuleParseException {
    Map<String, List<String>> raw = new LinkedHashMap<>();
    if (node != null) {
      if (!node.isObject()) {
        throw fail("folders", "must map folder-set names to lists of folders");
      }
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        String path = "folders." + Printable.of(name);
        if (!SET_NAME.matcher(name).matches() || name.equals(FileRule.ANYWHERE)) {
          throw fail(path, "folder-set names are lower-case letters, digits, '-' or '_' ('anywhere' is reserved)");
        }
        raw.put(name, strings(node.get(name), path));
      }
    }
    Map<String, List<FolderPattern>> resolved = new LinkedHashMap<>();
    for (String name : raw.keySet()) {
      resolve(name, raw, resolved, new LinkedHashSet<>());
    }
    return resolved;
  }

  private List<FolderPattern> resolve(String name, Map<String, List<String>> raw,
      Map<String, List<FolderPattern>> done, Set<String> visiting) throws RuleParseException {
    if (done.containsKey(name)) {
      return done.get(name);
    }
    if (!visiting.add(name)) {
      throw fail("folders." + name, "refers to itself through " + String.join(" -> ", visiting));
    }
    List<FolderPattern> out = new ArrayList<>();
    List<String> entries = requireNonNull(raw.get(name), name); // callers pass only defined names
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      String path = "folders." + name + "[" + i + "]";
      try {
        if (entry.startsWith("@")) {
          int slash = entry.indexOf('/');
          String ref = slash < 0 ? entry.substring(1) : entry.substring(1, slash);
          if (!raw.containsKey(ref)) {
            throw fail(path, "refers to folder set '" + Printable.of(ref) + "', which is not defined");
          }
          List<FolderPattern> base = resolve(ref, raw, done, visiting);
          if (slash < 0) {
            out.addAll(base);
          } else {
            FolderPattern rest = FolderPattern.parse(entry.substring(slash + 1));
            for (FolderPattern b : base) {
              out.add(rest.after(b));
            }
          }
        } else {
          out.add(FolderPattern.parse(entry));
        }
      } catch (IllegalArgumentException e) {
        throw fail(path, RuleParseException.reason(e));
      }
    }
    visiting.remove(name);
    done.put(name, List.copyOf(out));
    return out;
  }

  private FileRule fileRule(JsonNode node, String path, Map<String, List<FolderPattern>> folders)
      throws RuleParseException {
    fields(node, path, Set.of("id", "in", "detail", "name", "except", "randomName", "doubleExtension", "severity"));
    String id = id(node, path);
    severity(node, path, id, FindingSeverity.FINDING_SEVERITY_INFECTION);
    String in = text(node, "in", path, true);
    if (!in.equals(FileRule.ANYWHERE) && !folders.containsKey(in)) {
      throw fail(path + ".in", "folder set '" + Printable.of(in) + "' is not defined under 'folders'");
    }
    String detail = detail(node, path);
    int kinds = (node.has("name") ? 1 : 0) + (node.has("randomName") ? 1 : 0) + (node.has("doubleExtension") ? 1 : 0);
    if (kinds != 1) {
      throw fail(path, "needs exactly one of 'name', 'randomName' or 'doubleExtension'");
    }
    List<String> except = node.has("except") ? strings(node.get("except"), path + ".except") : List.of();
    if (node.has("name")) {
      NamePattern name = pattern(text(node, "name", path, true), path + ".name");
      List<NamePattern> exceptions = new ArrayList<>();
      for (int i = 0; i < except.size(); i++) {
        exceptions.add(pattern(except.get(i), path + ".except[" + i + "]"));
      }
      return new FileRule.Named(id, in, name, exceptions, detail);
    }
    if (node.has("randomName")) {
      JsonNode r = node.get("randomName");
      String rp = path + ".randomName";
      fields(r, rp, Set.of("extensions", "minLength", "maxLength", "minConsonantRun"));
      Set<String> extensions = extensions(r, "extensions", rp);
      int min = integer(r, "minLength", rp, 5, 1, 64);
      int max = integer(r, "maxLength", rp, 8, 1, 64);
      int run = integer(r, "minConsonantRun", rp, 5, 1, 64);
      if (min > max) {
        throw fail(rp, "minLength is above maxLength");
      }
      if (run > max) {
        throw fail(rp + ".minConsonantRun", "is above maxLength, so nothing could match");
      }
      Set<String> lowerExcept = new HashSet<>();
      except.forEach(e -> lowerExcept.add(e.toLowerCase(Locale.ROOT)));
      return new FileRule.RandomName(id, in, extensions, min, max, run, lowerExcept, detail);
    }
    if (!except.isEmpty()) {
      throw fail(path + ".except", "applies only to 'name' and 'randomName' rules");
    }
    JsonNode d = node.get("doubleExtension");
    String dp = path + ".doubleExtension";
    fields(d, dp, Set.of("decoys", "executables"));
    return new FileRule.DoubleExtension(id, in, extensions(d, "decoys", dp), extensions(d, "executables", dp), detail);
  }

  private RegistryRule registryRule(JsonNode node, String path) throws RuleParseException {
    fields(node, path, Set.of("id", "key", "detail", "valueName", "subkeyValue", "fileNames", "severity"));
    String id = id(node, path);
    severity(node, path, id, FindingSeverity.FINDING_SEVERITY_INFECTION);
    RegistryKey key;
    try {
      key = RegistryKey.parse(text(node, "key", path, true));
    } catch (IllegalArgumentException e) {
      throw fail(path + ".key", RuleParseException.reason(e));
    }
    String detail = detail(node, path);
    boolean byName = node.has("valueName");
    boolean byFile = node.has("subkeyValue") || node.has("fileNames");
    if (byName == byFile) {
      throw fail(path, "needs either 'valueName', or 'subkeyValue' with 'fileNames'");
    }
    if (byName) {
      return new RegistryRule.ValueName(id, key, pattern(text(node, "valueName", path, true), path + ".valueName"), detail);
    }
    String value = text(node, "subkeyValue", path, true);
    List<String> names = strings(required(node, "fileNames", path), path + ".fileNames");
    if (names.isEmpty()) {
      throw fail(path + ".fileNames", "must list at least one pattern");
    }
    List<NamePattern> patterns = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      patterns.add(pattern(names.get(i), path + ".fileNames[" + i + "]"));
    }
    return new RegistryRule.SubkeyFile(id, key, value, patterns, detail);
  }

  private RuleSet.IntegrityFiles integrityFiles(JsonNode node) throws RuleParseException {
    String path = "integrityFiles";
    fields(node, path, Set.of("id", "names", "detail", "severity"));
    String id = id(node, path);
    severity(node, path, id, FindingSeverity.FINDING_SEVERITY_SUSPICIOUS);
    Set<String> names = new HashSet<>();
    List<String> listed = strings(required(node, "names", path), path + ".names");
    for (int i = 0; i < listed.size(); i++) {
      String name = listed.get(i);
      if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.length() > 255) {
        throw fail(path + ".names[" + i + "]", "must be a plain file name");
      }
      names.add(FolderPattern.fold(name));
    }
    return new RuleSet.IntegrityFiles(id, names, detail(node, path));
  }

  // --- field helpers ------------------------------------------------------------------

  private void fields(JsonNode node, String path, Set<String> allowed) throws RuleParseException {
    if (node == null || !node.isObject()) {
      throw fail(path.isEmpty() ? "(top level)" : path, "must be a mapping of fields");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        throw fail(join(path, Printable.of(name)), "unknown field (expected one of "
            + String.join(", ", allowed.stream().sorted().toList()) + ")");
      }
    }
  }

  private JsonNode required(JsonNode node, String field, String path) throws RuleParseException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw fail(join(path, field), "is required");
    }
    return value;
  }

  private String text(JsonNode node, String field, String path, boolean singleLine) throws RuleParseException {
    JsonNode value = required(node, field, path);
    if (!value.isValueNode()) {
      throw fail(join(path, field), "must be text");
    }
    String text = value.asText();
    if (singleLine && (text.isBlank() || text.length() > 1000 || text.chars().anyMatch(Character::isISOControl))) {
      throw fail(join(path, field), "must be one non-empty line of at most 1000 characters");
    }
    return text;
  }

  private String id(JsonNode node, String path) throws RuleParseException {
    String id = text(node, "id", path, true);
    if (!ID.matcher(id).matches()) {
      throw fail(join(path, "id"), "must be 1-128 letters, digits, '.', '_' or '-'");
    }
    return id;
  }

  private String detail(JsonNode node, String path) throws RuleParseException {
    return text(node, "detail", path, true).strip();
  }

  private JsonNode list(JsonNode node, String path) throws RuleParseException {
    if (!node.isArray()) {
      throw fail(path, "must be a list");
    }
    return node;
  }

  private List<String> strings(JsonNode node, String path) throws RuleParseException {
    if (node.isValueNode() && !node.isNull()) {
      return List.of(node.asText());
    }
    if (!node.isArray()) {
      throw fail(path, "must be a list of text");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (!item.isValueNode() || item.isNull()) {
        throw fail(path + "[" + i + "]", "must be text");
      }
      out.add(item.asText());
    }
    return out;
  }

  private Set<String> extensions(JsonNode node, String field, String path) throws RuleParseException {
    List<String> listed = strings(required(node, field, path), join(path, field));
    if (listed.isEmpty()) {
      throw fail(join(path, field), "must list at least one extension");
    }
    Set<String> out = new HashSet<>();
    for (int i = 0; i < listed.size(); i++) {
      String ext = listed.get(i).toLowerCase(Locale.ROOT);
      ext = ext.startsWith(".") ? ext.substring(1) : ext;
      if (!EXTENSION.matcher(ext).matches()) {
        throw fail(join(path, field) + "[" + i + "]", "must be 1-10 letters or digits, without the dot");
      }
      out.add(ext);
    }
    return out;
  }

  private int integer(JsonNode node, String field, String path, int fallback, int min, int max)
      throws RuleParseException {
    JsonNode value = node.get(field);
    if (value == null) {
      return fallback;
    }
    if (!value.isIntegralNumber() || value.asLong() < min || value.asLong() > max) {
      throw fail(join(path, field), "must be a whole number from " + min + " to " + max);
    }
    return value.asInt();
  }

  private NamePattern pattern(String text, String path) throws RuleParseException {
    try {
      return NamePattern.compile(text);
    } catch (IllegalArgumentException e) {
      throw fail(path, RuleParseException.reason(e));
    }
  }

  private void unique(Set<String> ids, String id, String path) throws RuleParseException {
    if (!ids.add(id)) {
      throw fail(path, "rule id '" + id + "' is used twice");
    }
  }

  private RuleParseException fail(String path, String problem) {
    return new RuleParseException(source, "field " + path + ": " + problem);
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String firstLine(@Nullable String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
