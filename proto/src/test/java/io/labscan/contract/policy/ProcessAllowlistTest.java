package io.labscan.contract.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The allow-list rule the agent and the controller share (EgressPolicyTest and EgressJudgementTest run it in place). */
class ProcessAllowlistTest {
  @Test
  void aNameEntryMatchesTheProcessNameOrTheExecutablesFileName() {
    assertThat(ProcessAllowlist.names(List.of("smtp"), "smtp", "/usr/lib/postfix/sbin/smtp")).isTrue();
    assertThat(ProcessAllowlist.names(List.of("thunderbird-binary"), "thunderbird-bin",
        "/usr/lib/thunderbird/thunderbird-binary")).isTrue();
  }

  @Test
  void aPathEntryMatchesOnlyThatExecutableWhateverTheProcessCallsItself() {
    List<String> postfix = List.of("/usr/lib/postfix/sbin/smtp");

    assertThat(ProcessAllowlist.names(postfix, "smtp", "/usr/lib/postfix/sbin/smtp")).isTrue();
    assertThat(ProcessAllowlist.names(postfix, "smtp", "/tmp/smtp")).isFalse();
  }

  @Test
  void windowsNamesAndPathsCompareWithoutCaseAndNamesWithoutExe() {
    String outlook = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE";

    assertThat(ProcessAllowlist.names(List.of("outlook"), "OUTLOOK.EXE", outlook)).isTrue();
    assertThat(ProcessAllowlist.names(List.of("c:\\program files\\microsoft office\\root\\office16\\outlook.exe"),
        "OUTLOOK.EXE", outlook)).isTrue();
    assertThat(ProcessAllowlist.names(List.of("\\\\fileserver\\apps\\mailer.exe"), "mailer.exe",
        "\\\\FILESERVER\\apps\\MAILER.EXE")).isTrue();
  }

  @Test
  void aProcessWithNoNameAndNoPathMatchesNothing() {
    assertThat(ProcessAllowlist.names(List.of("smtp", "/usr/sbin/sendmail"), "", "")).isFalse();
  }

  @Test
  void theFileNameIsTheLastElementOfAUnixOrWindowsPath() {
    assertThat(ProcessAllowlist.fileName("/usr/lib/postfix/sbin/smtp")).isEqualTo("smtp");
    assertThat(ProcessAllowlist.fileName("C:\\WINDOWS\\SYSTEM32\\WINK3C1.EXE")).isEqualTo("WINK3C1.EXE");
    assertThat(ProcessAllowlist.fileName("smtp")).isEqualTo("smtp");
  }
}
