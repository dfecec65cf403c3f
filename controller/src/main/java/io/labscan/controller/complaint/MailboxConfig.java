package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.Optional;

/**
 * One mailbox to watch: where, the password (read from a file, never from the command line),
 * and the CA certificates that sign the IMAP server's certificate when the system's trust
 * store does not (a campus CA; PEM, several allowed). The server's name is always checked.
 */
public record MailboxConfig(MailboxAddress address, String password, Optional<Path> caFile) {
  public MailboxConfig {
    requireNonNull(address, "address");
    requireNonNull(password, "password");
    requireNonNull(caFile, "caFile");
  }

  @Override
  public String toString() {
    return address.key() + (caFile.map(f -> " (CA " + f + ")").orElse(""));
  }
}
