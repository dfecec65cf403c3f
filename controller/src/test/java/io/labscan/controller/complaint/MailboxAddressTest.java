package io.labscan.controller.complaint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code serve --complaint-mailbox URI}: which mailbox, over which TLS, and never a password. */
class MailboxAddressTest {
  @Test
  void imapsDefaultsToPort993AndTheInbox() {
    MailboxAddress a = MailboxAddress.parse("imaps://abuse@mail.example.edu");

    assertThat(a.tls()).isTrue();
    assertThat(a.port()).isEqualTo(993);
    assertThat(a.folder()).isEqualTo("INBOX");
    assertThat(a.key()).isEqualTo("imaps://abuse@mail.example.edu:993/INBOX");
  }

  @Test
  void imapMeansStarttlsOnPort143() {
    MailboxAddress a = MailboxAddress.parse("imap://postmaster@Mail.Example.EDU/Bounces");

    assertThat(a.tls()).isFalse();
    assertThat(a.port()).isEqualTo(143);
    assertThat(a.folder()).isEqualTo("Bounces");
    assertThat(a.key()).isEqualTo("imap://postmaster@mail.example.edu:143/Bounces");
  }

  @Test
  void aUserThatIsAnAddressAndAFolderWithASlashArePercentDecoded() {
    MailboxAddress a = MailboxAddress.parse("imaps://abuse%40example.edu@mail.example.edu:10993/Complaints%2F2026");

    assertThat(a.user()).isEqualTo("abuse@example.edu");
    assertThat(a.port()).isEqualTo(10993);
    assertThat(a.folder()).isEqualTo("Complaints/2026");
  }

  @Test
  void anIpv6HostIsReadWithoutItsBrackets() {
    MailboxAddress a = MailboxAddress.parse("imaps://abuse@[2001:db8::25]:993/INBOX");

    assertThat(a.host()).isEqualTo("2001:db8::25");
    assertThat(a.key()).isEqualTo("imaps://abuse@[2001:db8::25]:993/INBOX");
  }

  @Test
  void aPasswordInTheUriIsRefusedAndNotRepeatedInTheMessage() {
    assertThatThrownBy(() -> MailboxAddress.parse("imaps://abuse:hunter2@mail.example.edu/INBOX"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--complaint-password-file")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void otherSchemesAndAMissingUserAreRefusedNamingTheProblem() {
    assertThatThrownBy(() -> MailboxAddress.parse("pop3s://abuse@mail.example.edu"))
        .hasMessageContaining("imaps://USER@HOST");
    assertThatThrownBy(() -> MailboxAddress.parse("imaps://mail.example.edu/INBOX"))
        .hasMessageContaining("names no user");
  }
}
