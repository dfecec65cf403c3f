package io.labscan.controller.triage;

/** What the Received: parser noticed about one line, beyond its fields. */
public enum HopFlag {
  /** Neither a {@code from} nor a {@code by} clause could be read; only the raw text is kept. */
  UNPARSED,
  /** The line has a {@code by} part but no {@code from} part: an internal hand-off or local submission. */
  NO_FROM_PART,
  /** A qmail {@code (qmail N invoked …)} line: written by qmail itself, it records no SMTP client. */
  NOT_A_HOP,
  /** The receiving MTA said the reverse DNS name may be forged (Sendmail). The IP still stands. */
  MAY_BE_FORGED,
  /**
   * The receiving MTA recorded the client's reverse DNS name without confirming it by a forward
   * lookup (qmail's {@code tcpserver} without {@code -p}: {@code from RDNS (HELO x) (IP)}): whoever
   * controls the PTR record of the client's address chose it. The IP still stands; the name is
   * shown, never compared with trusted names.
   */
  RDNS_UNCONFIRMED,
  /** The receiving MTA found no reverse DNS name for the client ({@code unknown}). */
  NO_REVERSE_DNS,
  /**
   * The client authenticated, as the MTA wrote it: {@code with} ESMTPA/ESMTPSA/UTF8SMTPSA …, or an
   * MTA comment {@code (Authenticated sender: …)}, {@code (authenticated bits=0)}, {@code
   * (authenticated as …)}, {@code (AUTH: LOGIN …)}, OpenSMTPD's {@code auth=yes}. Never read from HELO.
   */
  AUTHENTICATED,
  /** The from part names an IP literal only as HELO text; no connection IP was recorded. */
  HELO_LITERAL_ONLY,
  /** No date after the last {@code ;}, or one that could not be read. */
  NO_DATE,
  /** The line was longer than the parser reads; the rest was ignored. */
  TRUNCATED,
  /**
   * The client is on the MTA itself (127.0.0.0/8, {@code ::1}): a hand-off to a content filter
   * and back (amavisd-new, SpamAssassin, clamsmtp) or a submission on that machine. Not a hop
   * to a new client: the trust walk passes over it, and a loopback address is never an origin.
   */
  LOOPBACK_CLIENT,
  /**
   * A retrieval line ({@code with POP3}, {@code with IMAP}, fetchmail, getmail): the mailbox
   * owner's machine fetching mail it already had, written on top of the delivered message.
   */
  RETRIEVAL,
  /**
   * A local delivery ({@code with LMTP}, {@code with local}, Exim's {@code local-esmtp}): the
   * receiving site handing the message to its own mailbox store or a local process.
   */
  LOCAL_DELIVERY
}
