package io.labscan.agent.checks.mail;

/** How messages are laid out in a mail store file. */
public enum MailStoreFormat {
  /** Unix mbox (mboxo/mboxrd): messages separated by lines starting with {@code "From "}. */
  MBOX,
  /** One message per file in a Maildir's {@code cur}, {@code new} or {@code tmp} folder. */
  MAILDIR,
  /** One RFC 822 message per file ({@code .eml}). */
  EML,
  /** Apple Mail: a decimal byte count line, the message, then an XML property list. */
  EMLX,
  /** Outlook Express 5/6 message database: messages in chained 512-byte blocks. */
  DBX
}
