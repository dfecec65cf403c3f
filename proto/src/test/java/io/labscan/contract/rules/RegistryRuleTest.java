package io.labscan.contract.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RegistryRuleTest {

  @Test
  void executableNameOfPlainQuotedAndArgumentCarryingCommands() {
    assertThat(RegistryRule.executableName("C:\\WINDOWS\\SYSTEM32\\WinkAbcd.exe")).hasValue("WinkAbcd.exe");
    assertThat(RegistryRule.executableName("\"C:\\Program Files\\A B\\wqk.exe\" -s")).hasValue("wqk.exe");
    assertThat(RegistryRule.executableName("C:\\Program Files\\Tool\\run.exe /config C:\\x\\y.txt"))
        .hasValue("run.exe");
    assertThat(RegistryRule.executableName("%SystemRoot%\\System32\\svchost.exe -k netsvcs")).hasValue("svchost.exe");
    assertThat(RegistryRule.executableName("System32\\drivers\\tcpip.sys")).hasValue("tcpip.sys");
    assertThat(RegistryRule.executableName("  ")).isEmpty();
  }

  @Test
  void serviceRuleMatchesOnlyTheProgramNotItsArguments() {
    RegistryRule.SubkeyFile rule = new RegistryRule.SubkeyFile("r", RegistryKey.parse("HKLM\\S"), "ImagePath",
        java.util.List.of(NamePattern.compile("wqk.exe")), "d");

    assertThat(rule.matchesCommand("C:\\WINNT\\system32\\WQK.EXE")).isTrue();
    assertThat(rule.matchesCommand("C:\\Tools\\cleaner.exe --remove C:\\WINNT\\system32\\WQK.EXE")).isFalse();
  }

  @Test
  void registryKeysParseLongAndShortHiveNames() {
    assertThat(RegistryKey.parse("HKEY_LOCAL_MACHINE\\SOFTWARE\\X")).isEqualTo(RegistryKey.parse("hklm\\SOFTWARE\\X"));
    assertThat(RegistryKey.parse("HKU\\S-1-5-21\\Software").toString()).isEqualTo("HKU\\S-1-5-21\\Software");
    assertThatThrownBy(() -> RegistryKey.parse("HKLM\\a\\\\b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RegistryKey.parse("HKCU\\Software")).isInstanceOf(IllegalArgumentException.class);
  }
}
