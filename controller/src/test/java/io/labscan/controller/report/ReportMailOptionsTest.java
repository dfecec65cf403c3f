package io.labscan.controller.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --report-smtp*}: a bad relay configuration is refused at start, naming the option. */
class ReportMailOptionsTest {
  @TempDir Path dir;

  private ReportMailOptions withPasswordFile(Path file) {
    ReportMailOptions o = new ReportMailOptions();
    o.smtp = "smtp.campus.example:587";
    o.startTls = true;
    o.from = "labscan@campus.example";
    o.user = "labscan";
    o.passwordFile = file;
    return o;
  }

  private Path passwordFile(String mode) throws Exception {
    Path file = dir.resolve("smtp-password");
    Files.writeString(file, "relay-s3cret\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    return file;
  }

  @Test
  void aPasswordFileOtherAccountsCanReadIsRefusedNamingTheFileAndTheFix() throws Exception {
    Path file = passwordFile("rw-r-----");
    assertThatThrownBy(() -> withPasswordFile(file).relay()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--report-smtp-password-file " + file + " is readable by other users: make it owner-only "
            + "(chmod 600 " + file + ")");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
    assertThatThrownBy(() -> withPasswordFile(file).relay()).hasMessageContaining("readable by other users");
  }

  @Test
  void anOwnerOnlyPasswordFileGivesThePasswordOnItsFirstLine() throws Exception {
    SmtpRelay relay = withPasswordFile(passwordFile("rw-------")).relay().orElseThrow();
    assertThat(relay.user()).contains("labscan");
    assertThat(relay.password()).contains("relay-s3cret");
  }

  @Test
  void aMissingPasswordFileIsNamed() {
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> withPasswordFile(missing).relay())
        .hasMessage("--report-smtp-password-file " + missing + " does not exist or is not a file");
  }
}
