package io.labscan.controller.complaint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code serve --complaint-*} options: passwords come from files, one per mailbox or one for all. */
class ComplaintMailboxOptionsTest {
  @TempDir Path dir;

  private ComplaintMailboxOptions parse(String... args) {
    ComplaintMailboxOptions options = new ComplaintMailboxOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  @Test
  void eachMailboxTakesThePasswordFileAtItsPositionFirstLineOnly() throws Exception {
    Files.writeString(dir.resolve("a.pw"), "first-secret\r\nignored\n");
    Files.writeString(dir.resolve("b.pw"), "second-secret");

    List<MailboxConfig> boxes = parse("--complaint-mailbox", "imaps://abuse@mail.example.edu/INBOX",
        "--complaint-mailbox", "imaps://postmaster@mail.example.edu/INBOX",
        "--complaint-password-file", dir.resolve("a.pw").toString(),
        "--complaint-password-file", dir.resolve("b.pw").toString()).mailboxes();

    assertThat(boxes).extracting(MailboxConfig::password).containsExactly("first-secret", "second-secret");
    assertThat(boxes.get(0).toString()).doesNotContain("secret");
  }

  @Test
  void aMailboxWithoutAPasswordFileIsRefused() {
    assertThatThrownBy(() -> parse("--complaint-mailbox", "imaps://abuse@mail.example.edu/INBOX").mailboxes())
        .hasMessageContaining("--complaint-password-file");
  }

  @Test
  void anEmptyPasswordFileIsRefusedNamingTheFile() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.pw"), "\n");

    assertThatThrownBy(() -> parse("--complaint-mailbox", "imaps://abuse@mail.example.edu/INBOX",
        "--complaint-password-file", empty.toString()).mailboxes())
        .hasMessageContaining("empty.pw").hasMessageContaining("no password");
  }

  @Test
  void theSameMailboxTwiceIsRefused() throws Exception {
    Path pw = Files.writeString(dir.resolve("a.pw"), "s");

    assertThatThrownBy(() -> parse("--complaint-mailbox", "imaps://abuse@mail.example.edu/INBOX",
        "--complaint-mailbox", "imaps://abuse@MAIL.example.edu:993/INBOX",
        "--complaint-password-file", pw.toString()).mailboxes())
        .hasMessageContaining("given twice");
  }

  @Test
  void aSizeLimitAboveThirtyTwoMebibytesIsRefused() {
    assertThatThrownBy(() -> parse("--complaint-max-bytes", "100000000").settings())
        .hasMessageContaining("32 MiB");
  }
}
