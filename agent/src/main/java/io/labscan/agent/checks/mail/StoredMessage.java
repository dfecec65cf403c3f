package io.labscan.agent.checks.mail;

import static java.util.Objects.requireNonNull;

import jakarta.mail.internet.MimeMessage;

/**
 * One message read from a mail store.
 *
 * @param store the store it came from
 * @param index 1-based position in the store (always 1 for one-message files)
 * @param location where in the store, in words ("whole file", "message 3 at byte 10240")
 * @param mime the parsed message; its bodies are read lazily from the store, so it is only
 *     valid while the visitor that received it runs
 * @param evidence the bytes a finding describes: the store file for one-message stores
 *     (.eml, Maildir, .emlx), the message alone for containers (mbox, .dbx)
 */
public record StoredMessage(
    MailStore store, int index, String location, MimeMessage mime, MessageBytes evidence) {
  public StoredMessage {
    requireNonNull(store, "store");
    requireNonNull(location, "location");
    requireNonNull(mime, "mime");
    requireNonNull(evidence, "evidence");
  }

  /** Whether the store holds many messages, so the location matters to a reader. */
  public boolean fromContainer() {
    return store.format() == MailStoreFormat.MBOX || store.format() == MailStoreFormat.DBX;
  }
}
