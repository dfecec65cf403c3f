package io.labscan.controller.triage;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Desktop mail clients by the process name an agent reports (issue 15): a person's mail client
 * sending a forward over port 25 under the default policy (no allowed process) is "a process
 * policy does not allow", yet it is not evidence that the host's own software wrote the mail.
 * {@link CarrierSender} therefore treats unallowed egress by one of these names as
 * undecidable (capped, unrecorded), never as the worm's own mail. A worm that names itself like
 * a mail client gains only that capped answer. The list is kept in this one place.
 */
final class MailClients {
  /** Basenames, lower case, without ".exe". "mail" is Apple Mail; "mailclient" is eM Client's binary. */
  static final Set<String> NAMES = Set.of("thunderbird", "outlook", "evolution", "claws-mail", "seamonkey",
      "mailspring", "em client", "mailclient", "mail", "kmail", "geary", "betterbird", "postbox");

  private MailClients() {}

  /** Whether a reported process name or path is a known desktop mail client's (case-insensitive). */
  static boolean is(Optional<String> process) {
    return process.map(MailClients::basename).map(NAMES::contains).orElse(false);
  }

  static String basename(String process) {
    String p = process.strip();
    int slash = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    String base = p.substring(slash + 1).toLowerCase(Locale.ROOT);
    return base.endsWith(".exe") ? base.substring(0, base.length() - 4) : base;
  }
}
