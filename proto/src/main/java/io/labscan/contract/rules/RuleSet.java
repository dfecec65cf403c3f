package io.labscan.contract.rules;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.FindingSeverity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A versioned set of artifact rules: folder sets, file-name rules, registry rules, the
 * integrity files to watch, and ClamAV-format signatures. Rules are data: the agent ships
 * {@link #builtIn()} as a resource and the controller may push a replacement, parsed by
 * {@link #load}. The format is described in docs/checks-artifacts.md.
 */
public final class RuleSet {
  private final Map<String, FindingSeverity> severities;
  static final String BUILT_IN_RESOURCE = "klez-rules.yaml";

  private final String source;
  private final String version;
  private final String description;
  private final Map<String, List<FolderPattern>> folders;
  private final List<FileRule> fileRules;
  private final List<RegistryRule> registryRules;
  private final IntegrityFiles integrityFiles;
  private final Signatures signatures;
  private volatile @Nullable String fingerprint; // computed on first use

  /** The integrity files rule: which names to watch, and how to report a deletion. */
  public record IntegrityFiles(String id, Set<String> foldedNames, String detail) {
    static final IntegrityFiles NONE = new IntegrityFiles("", Set.of(), "");

    public IntegrityFiles {
      requireNonNull(id, "id");
      foldedNames = Set.copyOf(foldedNames);
      requireNonNull(detail, "detail");
    }
  }

  RuleSet(String source, String version, String description, Map<String, List<FolderPattern>> folders,
      List<FileRule> fileRules, List<RegistryRule> registryRules, IntegrityFiles integrityFiles,
      Signatures signatures, Map<String, FindingSeverity> severities) {
    this.source = requireNonNull(source, "source");
    this.severities = Map.copyOf(severities);
    this.version = requireNonNull(version, "version");
    this.description = requireNonNull(description, "description");
    this.folders = Map.copyOf(folders);
    this.fileRules = List.copyOf(fileRules);
    this.registryRules = List.copyOf(registryRules);
    this.integrityFiles = requireNonNull(integrityFiles, "integrityFiles");
    this.signatures = requireNonNull(signatures, "signatures");
  }

  /**
   * Parses a rule set (YAML or JSON).
   *
   * @param sourceName names the file in error messages, e.g. {@code "klez-rules.yaml"}
   * @throws RuleParseException naming the source and the line (syntax) or field (meaning)
   * @throws IOException when the stream cannot be read
   */
  public static RuleSet load(String sourceName, InputStream in) throws RuleParseException, IOException {
    return RuleSetParser.parse(requireNonNull(sourceName, "sourceName"), requireNonNull(in, "in"));
  }

  /** The rule set shipped inside the agent. */
  public static RuleSet builtIn() {
    try (InputStream in = RuleSet.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("built-in rule set " + BUILT_IN_RESOURCE + " is missing from the agent");
      }
      return load(BUILT_IN_RESOURCE, in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in rule set", e);
    } catch (RuleParseException e) {
      throw new IllegalStateException("the built-in rule set is invalid: " + e.getMessage(), e);
    }
  }

  /** This rule set plus extra signatures (ClamAV databases the user loaded). */
  public RuleSet withSignatures(Signatures extra) {
    return new RuleSet(source, version, description, folders, fileRules, registryRules,
        integrityFiles, signatures.plus(requireNonNull(extra, "extra")), severities);
  }

  /**
   * How strongly a finding of this rule indicates infection: as the rule set says, and
   * INFECTION for ClamAV signatures and rules that say nothing.
   */
  public FindingSeverity severityOf(String ruleId) {
    return severities.getOrDefault(ruleId, FindingSeverity.FINDING_SEVERITY_INFECTION);
  }

  /**
   * The ids of this rule set's own rules (file, registry and integrity-file rules), not of its
   * signatures: the controller judges a finding of one of these by this rule set's {@link
   * #severityOf} rather than by the severity the agent reported (docs/verdicts.md, "Whose
   * severity counts").
   */
  public Set<String> ruleIds() {
    Set<String> ids = new java.util.HashSet<>();
    fileRules.forEach(r -> ids.add(r.id()));
    registryRules.forEach(r -> ids.add(r.id()));
    if (!integrityFiles.id().isEmpty()) {
      ids.add(integrityFiles.id());
    }
    return Set.copyOf(ids);
  }

  /** Where the rule set came from (file or resource name). */
  public String source() {
    return source;
  }

  /** The version stamped on every finding this rule set produces. */
  public String version() {
    return version;
  }

  public String description() {
    return description;
  }

  public Signatures signatures() {
    return signatures;
  }

  /** Everything loaded but not applied (unsupported signature lines), one line each. */
  public List<String> warnings() {
    return signatures.warnings();
  }

  Map<String, List<FolderPattern>> folders() {
    return folders;
  }

  List<FileRule> fileRules() {
    return fileRules;
  }

  public List<RegistryRule> registryRules() {
    return registryRules;
  }

  public IntegrityFiles integrityFiles() {
    return integrityFiles;
  }

  /**
   * A digest of everything that decides what a file scan of this rule set reports (rules,
   * folder sets, integrity files, signatures; not the severities, which are applied to the
   * findings afterwards). Computed once.
   */
  public String fingerprint() {
    String f = fingerprint;
    if (f == null) {
      RuleFingerprint digest = new RuleFingerprint().add(source).add(version).add(description).add(folders)
          .add(fileRules).add(integrityFiles);
      signatures.fingerprint(digest);
      f = digest.hex();
      fingerprint = f;
    }
    return f;
  }

  /** The file rules that apply to files directly in a folder (folded components). */
  public List<FileRule> rulesFor(List<String> foldedFolder) {
    List<FileRule> out = new ArrayList<>(0);
    for (FileRule rule : fileRules) {
      if (rule.folders().equals(FileRule.ANYWHERE)
          || folders.getOrDefault(rule.folders(), List.of()).stream().anyMatch(f -> f.covers(foldedFolder))) {
        out.add(rule);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "RuleSet[" + source + " version " + version + "]";
  }
}
