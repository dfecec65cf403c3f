package io.labscan.contract.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetTest {
  private static final String MINIMAL = """
      format: 1
      version: "7"
      folders:
        system: [WINDOWS/SYSTEM32]
      files:
        - id: test.wqk
          in: system
          name: wqk.exe
          detail: WQK
      """;

  static RuleSet load(String yaml) throws Exception {
    return RuleSet.load("rules.yaml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void builtInRuleSetLoadsWithItsVersionAndKlezRules() {
    RuleSet rules = RuleSet.builtIn();

    assertThat(rules.version()).isEqualTo("2025.1");
    assertThat(rules.fileRules()).extracting(FileRule::id)
        .contains("klez.system.wink-exe", "klez.system.wqk-exe", "klez.double-extension");
    assertThat(rules.registryRules()).hasSize(2);
    assertThat(rules.integrityFiles().foldedNames()).contains("chklist.ms", "anti-vir.dat").hasSize(10);
    assertThat(rules.signatures().hashCount()).isEqualTo(2);
    assertThat(rules.warnings()).isEmpty();
  }

  @Test
  void builtInSystemFolderRulesApplyToEverySpellingOfTheSystemFolder() {
    RuleSet rules = RuleSet.builtIn();

    for (List<String> folder : List.of(List.of("windows", "system32"), List.of("winnt", "system32"),
        List.of("windows", "system"))) {
      assertThat(rules.rulesFor(folder)).extracting(FileRule::id).contains("klez.system.wink-exe");
    }
    assertThat(rules.rulesFor(List.of("windows", "system32", "drivers"))).extracting(FileRule::id)
        .doesNotContain("klez.system.wink-exe");
  }

  @Test
  void folderSetReferencesExpandToEveryProfile() {
    RuleSet rules = RuleSet.builtIn();

    assertThat(rules.rulesFor(List.of("users", "bob", "appdata", "local", "temp"))).extracting(FileRule::id)
        .contains("klez.temp.random-executable");
    assertThat(rules.rulesFor(List.of("documents and settings", "amy", "local settings", "temp")))
        .extracting(FileRule::id).contains("klez.temp.random-executable");
  }

  @Test
  void minimalRuleSetLoads() throws Exception {
    RuleSet rules = load(MINIMAL);

    assertThat(rules.version()).isEqualTo("7");
    assertThat(rules.source()).isEqualTo("rules.yaml");
  }

  @Test
  void jsonIsAcceptedToo() throws Exception {
    RuleSet rules = load("""
        {"format": 1, "version": "j1", "files": [
          {"id": "x", "in": "anywhere", "name": "*.pif", "detail": "pif"}]}
        """);

    assertThat(rules.fileRules()).hasSize(1);
  }

  @Test
  void yamlSyntaxErrorNamesFileAndLine() {
    assertThatThrownBy(() -> load("format: 1\nversion: \"1\"\nfiles: [\n  - id: x\n  bad: : :\n"))
        .isInstanceOf(RuleParseException.class)
        .hasMessageStartingWith("rules.yaml line ")
        .satisfies(e -> assertThat(((RuleParseException) e).line()).isPresent());
  }

  @Test
  void unknownFieldIsNamedWithItsPath() {
    assertThatThrownBy(() -> load(MINIMAL.replace("    name: wqk.exe", "    nmae: wqk.exe")))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("rules.yaml: field files[0].nmae: unknown field");
  }

  @Test
  void badNamePatternIsNamedWithItsField() {
    assertThatThrownBy(() -> load(MINIMAL.replace("name: wqk.exe", "name: \"wqk[.exe\"")))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("field files[0].name: '[' at position 4 is never closed");
  }

  @Test
  void undefinedFolderSetIsRefused() {
    assertThatThrownBy(() -> load(MINIMAL.replace("in: system", "in: sytem")))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("files[0].in: folder set 'sytem' is not defined");
  }

  @Test
  void selfReferencingFolderSetIsRefused() {
    assertThatThrownBy(() -> load(MINIMAL.replace("system: [WINDOWS/SYSTEM32]", "system: [\"@system/x\"]")))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("refers to itself");
  }

  @Test
  void folderPatternWithDotDotIsRefused() {
    assertThatThrownBy(() -> load(MINIMAL.replace("WINDOWS/SYSTEM32", "WINDOWS/../etc")))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("folders.system[0]");
  }

  @Test
  void ruleWithTwoKindsIsRefused() {
    assertThatThrownBy(() -> load(MINIMAL.replace("    name: wqk.exe",
        "    name: wqk.exe\n    doubleExtension: {decoys: [txt], executables: [exe]}")))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("exactly one of");
  }

  @Test
  void duplicateRuleIdsAreRefused() {
    assertThatThrownBy(() -> load(MINIMAL + """
          - id: test.wqk
            in: anywhere
            name: other.exe
            detail: again
        """))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("files[1].id: rule id 'test.wqk' is used twice");
  }

  @Test
  void unsupportedFormatIsRefused() {
    assertThatThrownBy(() -> load(MINIMAL.replace("format: 1", "format: 2")))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("field format: must be 1");
  }

  @Test
  void malformedEmbeddedHashLineNamesTheBlockAndLine() {
    assertThatThrownBy(() -> load(MINIMAL + """
        hdb: |
          44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature
          44d88612fea8a8f36de82e1278abb02f:sixty-eight:Broken
        """))
        .isInstanceOf(RuleParseException.class)
        .hasMessageStartingWith("rules.yaml (hdb) line 2:")
        .hasMessageContaining("file size 'sixty-eight' is not a non-negative number");
  }

  @Test
  void registryKeyMustNameAKnownHive() {
    assertThatThrownBy(() -> load(MINIMAL + """
        registry:
          - id: r
            key: 'HKCR\\Software'
            valueName: x
            detail: d
        """))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("registry[0].key");
  }

  @Test
  void duplicateKeysAreRefusedRatherThanSilentlyOverwritten() {
    assertThatThrownBy(() -> load(MINIMAL + "version: \"8\"\n"))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("Duplicate field 'version'");
  }

  @Test
  void yamlAliasesAreNotExpandedSoAnAliasBombStaysSmall() throws Exception {
    StringBuilder yaml = new StringBuilder("format: 1\nversion: \"1\"\nfolders:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
      yaml.append("  a").append(i).append(": &a").append(i).append(" [")
          .append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (i - 1)))).append("]\n");
    }

    RuleSet rules = load(yaml.toString());

    assertThat(rules.folders().get("a11")).hasSize(10); // not 10^12 folders
  }

  @Test
  void emptyInputIsRefused() {
    assertThatThrownBy(() -> load(""))
        .isInstanceOf(RuleParseException.class)
        .hasMessageContaining("empty rule set");
  }
}
