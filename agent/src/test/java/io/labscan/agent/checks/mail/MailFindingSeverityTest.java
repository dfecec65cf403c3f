package io.labscan.agent.checks.mail;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.proto.v1.FindingSeverity;
import org.junit.jupiter.api.Test;

class MailFindingSeverityTest {
  @Test
  void aPlainExecutableAttachmentIsOnlySuspicious() {
    assertThat(MailFindings.severity(ExecutableAttachmentRule.EXECUTABLE_ID))
        .isEqualTo(FindingSeverity.FINDING_SEVERITY_SUSPICIOUS);
  }

  @Test
  void theMs01020TrickIsAnInfection() {
    assertThat(MailFindings.severity("mail.ms01-020")).isEqualTo(FindingSeverity.FINDING_SEVERITY_INFECTION);
  }
}
