package io.labscan.agent.checks.mail;

import java.util.List;
import java.util.Locale;

/**
 * Folders inside a user profile that hold mail stores, as paths relative to the profile.
 * Names match ignoring case; {@code *} stands for any one folder name (a Thunderbird profile
 * or an Outlook Express identity). Everything below a matching folder is a mail folder.
 */
final class MailFolders {
  static final List<List<String>> PATTERNS = List.of(
      // Unix mail user agents (mutt, pine, mailx) and Maildir deliveries.
      List.of("mail"),
      List.of("maildir"),
      // Thunderbird on Linux (and the old Debian package name).
      List.of(".thunderbird", "*", "mail"),
      List.of(".thunderbird", "*", "imapmail"),
      List.of(".mozilla-thunderbird", "*", "mail"),
      List.of(".mozilla-thunderbird", "*", "imapmail"),
      // Thunderbird on Windows (Vista and later, then XP) and macOS.
      List.of("appdata", "roaming", "thunderbird", "profiles", "*", "mail"),
      List.of("appdata", "roaming", "thunderbird", "profiles", "*", "imapmail"),
      List.of("application data", "thunderbird", "profiles", "*", "mail"),
      List.of("application data", "thunderbird", "profiles", "*", "imapmail"),
      List.of("library", "thunderbird", "profiles", "*", "mail"),
      List.of("library", "thunderbird", "profiles", "*", "imapmail"),
      // Apple Mail (.emlx under V2..V10/<account>/<box>.mbox/...).
      List.of("library", "mail"),
      // Outlook Express 5/6 on Windows 9x/2000/XP.
      List.of("local settings", "application data", "identities", "*", "microsoft",
          "outlook express"));

  private MailFolders() {}

  /** Whether the folder at {@code segments} below a profile is (the top of) a mail folder. */
  static boolean isMailFolder(List<String> segments) {
    for (List<String> pattern : PATTERNS) {
      if (matches(pattern, segments)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(List<String> pattern, List<String> segments) {
    if (pattern.size() != segments.size()) {
      return false;
    }
    for (int i = 0; i < pattern.size(); i++) {
      String expected = pattern.get(i);
      if (!expected.equals("*")
          && !expected.equals(segments.get(i).toLowerCase(Locale.ROOT))) {
        return false;
      }
    }
    return true;
  }
}
