package io.labscan.agent.checks.artifacts;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.registry.RegistryReadException;
import io.labscan.agent.registry.RegistryReader;
import io.labscan.contract.rules.RegistryKey;
import io.labscan.contract.rules.RegistryRule;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.RuleKind;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Applies registry rules through a {@link RegistryReader}. */
final class RegistryScan {
  private static final int MAX_SHOWN_DATA = 300;

  private final RegistryReader reader;
  private final String ruleSetVersion;
  private final Consumer<ArtifactFinding> findings;
  private final BiConsumer<String, Long> skipped;

  RegistryScan(RegistryReader reader, String ruleSetVersion, Consumer<ArtifactFinding> findings,
      BiConsumer<String, Long> skipped) {
    this.reader = requireNonNull(reader, "reader");
    this.ruleSetVersion = requireNonNull(ruleSetVersion, "ruleSetVersion");
    this.findings = requireNonNull(findings, "findings");
    this.skipped = requireNonNull(skipped, "skipped");
  }

  void run(List<RegistryRule> rules) {
    for (RegistryRule rule : rules) {
      try {
        if (rule instanceof RegistryRule.ValueName r) {
          valueNames(r);
        } else if (rule instanceof RegistryRule.SubkeyFile r) {
          subkeyFiles(r);
        }
      } catch (RegistryReadException e) {
        skipped.accept("registry-unreadable", 1L);
      }
    }
  }

  private void valueNames(RegistryRule.ValueName rule) throws RegistryReadException {
    for (Map.Entry<String, String> value : reader.values(rule.key()).entrySet()) {
      if (rule.valueName().matches(value.getKey())) {
        report(rule, rule.key() + "\\" + value.getKey(),
            rule.detail() + ": value " + value.getKey() + " = " + shown(value.getValue()));
      }
    }
  }

  private void subkeyFiles(RegistryRule.SubkeyFile rule) throws RegistryReadException {
    for (String subkey : reader.subkeys(rule.key())) {
      RegistryKey key;
      try {
        key = rule.key().child(subkey);
      } catch (IllegalArgumentException e) {
        continue; // a name no real key can have
      }
      Map<String, String> values;
      try {
        values = reader.values(key);
      } catch (RegistryReadException e) {
        skipped.accept("registry-unreadable", 1L);
        continue;
      }
      for (Map.Entry<String, String> value : values.entrySet()) {
        // Registry value names are case-insensitive, like file names.
        if (value.getKey().equalsIgnoreCase(rule.value()) && rule.matchesCommand(value.getValue())) {
          report(rule, key + "\\" + value.getKey(),
              rule.detail() + ": " + subkey + " runs " + shown(value.getValue()));
        }
      }
    }
  }

  private void report(RegistryRule rule, String registryKey, String detail) {
    findings.accept(ArtifactFinding.newBuilder()
        .setRuleId(rule.id())
        .setRuleKind(RuleKind.RULE_KIND_REGISTRY)
        .setRegistryKey(registryKey)
        .setDetail(detail)
        .setRuleSetVersion(ruleSetVersion)
        .build());
  }

  private static String shown(String data) {
    return data.length() > MAX_SHOWN_DATA ? data.substring(0, MAX_SHOWN_DATA) + "..." : data;
  }
}
