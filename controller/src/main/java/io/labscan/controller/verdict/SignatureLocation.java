package io.labscan.controller.verdict;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Where a file a hash or body signature matched lies, and what its lying there says (issue 15,
 * red-team finding S4). The worm's bytes on a disk are not proof that it ran: a recipient who
 * saved the attachment ({@code Users/janet/Downloads/readme.exe}), a mail store or attachment cache
 * holding it, a share another PC copied it onto, an antivirus quarantine, all hold the same bytes
 * the worm runs from. So the controller weighs a signature match by the folder it was found in:
 *
 * <ul>
 *   <li>{@link Kind#RAN}: where the worm installs itself or is started from — directly in the
 *       Windows folder, in the system folder ({@code System}, {@code System32}, {@code SysWOW64};
 *       below it too, except the system account's profile), directly in a Startup folder, or the
 *       program a reported Run/RunServices value names. Nobody saves a mail attachment there by
 *       accident: it is evidence that the worm ran.
 *   <li>{@link Kind#EXPOSURE}: where received mail and what people save from it lands — Downloads,
 *       Desktop, Documents, mail stores and caches (Outlook's {@code Content.Outlook}, Temporary
 *       Internet Files / INetCache, Outlook Express identities, Thunderbird and Apple Mail
 *       profiles, {@code .pst .ost .dbx .mbox .eml .msg .emlx} files, Maildir, mail spools),
 *       browser caches, temp folders (an opened attachment is written there first), antivirus
 *       quarantines, shares and mounted network drives (another PC may have copied it there).
 *   <li>{@link Kind#ELSEWHERE}: anywhere else, and every path that cannot be read safely: a copy of
 *       the worm whose running nothing shows.
 * </ul>
 *
 * <p>The path is the reporting agent's claim, written on a machine the worm may control. It only
 * ever weighs that host's own finding, and it is read defensively: separators {@code \} and
 * {@code /} alike, case ignored (Windows and macOS compare names so), a drive letter, the
 * {@code \\?\} prefix and environment-like prefixes ({@code %WINDIR%}, {@code %SystemRoot%},
 * {@code %TEMP%}, {@code $HOME}, {@code ~}) understood, {@code .} and empty names dropped,
 * {@code ..} resolved (a {@code ..} above the root, control characters, a path over {@value
 * #MAX_PATH} characters or {@value #MAX_NAMES} names are refused: ELSEWHERE). Names are compared
 * exactly (after lower-casing): a look-alike ({@code Sуstem32} with a Cyrillic у, a fullwidth
 * name, a zero-width space) is another folder on every file system, so it is never the system
 * folder nor a mail folder, and falls to ELSEWHERE — SUSPECTED, never INFECTED. A file's name is
 * never evidence either way: whoever mails or copies the worm chooses it, so a saved attachment
 * named like the worm's own system-folder copy ({@code WINKABCD.EXE} in Downloads) stays
 * exposure.
 */
public final class SignatureLocation {
  /** Longest path read; longer ones are refused (ELSEWHERE). Reports carry at most 4,096. */
  public static final int MAX_PATH = 4096;
  /** Most folder names read; more are refused (ELSEWHERE). */
  public static final int MAX_NAMES = 256;

  /** What the place says. */
  public enum Kind {
    /** A place the worm installs itself in or is started from: evidence that it ran. */
    RAN,
    /** A place received mail, saved attachments, caches, quarantines and shares land in. */
    EXPOSURE,
    /** Anywhere else, or a path that cannot be read: a copy whose running nothing shows. */
    ELSEWHERE
  }

  /**
   * A classified place.
   *
   * @param kind what it says
   * @param why the place in plain words ("a Downloads folder", "the Windows system folder")
   */
  public record Place(Kind kind, String why) {
    public Place {
      requireNonNull(kind, "kind");
      requireNonNull(why, "why");
    }
  }

  private SignatureLocation() {}

  private static final Set<String> SYSTEM = Set.of("system", "system32", "syswow64", "sysnative");
  private static final Set<String> WINDOWS = Set.of("windows", "winnt");
  private static final Set<String> MAIL_FILES = Set.of("pst", "ost", "dbx", "mbx", "mbox", "eml", "emlx", "msg",
      "nws", "wab");
  private static final Set<String> SHARE_ROOTS = Set.of("srv", "mnt", "media", "net", "volumes", "shares",
      "share", "smb", "nfs", "cifs", "afs");

  /** Folder names (lower case) that make a place exposure, with the words for them. */
  private static final List<String[]> EXPOSURE_NAMES = List.of(
      new String[] {"downloads", "a Downloads folder"},
      new String[] {"download", "a Downloads folder"},
      new String[] {"my downloads", "a Downloads folder"},
      new String[] {"desktop", "a Desktop folder"},
      new String[] {"documents", "a Documents folder"},
      new String[] {"my documents", "a Documents folder"},
      new String[] {"content.outlook", "Outlook's attachment cache (Content.Outlook)"},
      new String[] {"olk", "Outlook's attachment cache"},
      new String[] {"outlook", "an Outlook data folder"},
      new String[] {"outlook files", "an Outlook data folder"},
      new String[] {"outlook express", "an Outlook Express mail store"},
      new String[] {"identities", "an Outlook Express mail store"},
      new String[] {"windows mail", "a Windows Mail store"},
      new String[] {"windows live mail", "a Windows Live Mail store"},
      new String[] {"thunderbird", "a Thunderbird profile"},
      new String[] {".thunderbird", "a Thunderbird profile"},
      new String[] {".mozilla-thunderbird", "a Thunderbird profile"},
      new String[] {"mail", "a mail folder"},
      new String[] {"maildir", "a Maildir"},
      new String[] {".maildir", "a Maildir"},
      new String[] {"mail downloads", "Apple Mail's attachment folder (Mail Downloads)"},
      new String[] {"attachments", "an attachment folder"},
      new String[] {"evolution", "an Evolution mail store"},
      new String[] {"kmail2", "a KMail store"},
      new String[] {"spool", "a mail spool"},
      new String[] {"temporary internet files", "a browser/mail cache (Temporary Internet Files)"},
      new String[] {"inetcache", "a browser/mail cache (INetCache)"},
      new String[] {"content.ie5", "a browser/mail cache (Content.IE5)"},
      new String[] {"cache", "a browser cache"},
      new String[] {"cache2", "a browser cache"},
      new String[] {"caches", "a cache folder"},
      new String[] {".cache", "a cache folder"},
      new String[] {"webcache", "a browser cache"},
      new String[] {"temp", "a temp folder (opened attachments are written there)"},
      new String[] {"tmp", "a temp folder (opened attachments are written there)"},
      new String[] {"quarantine", "an antivirus quarantine"},
      new String[] {".quarantine", "an antivirus quarantine"},
      new String[] {"chest", "an antivirus quarantine (chest)"},
      new String[] {"virus vault", "an antivirus quarantine (Virus Vault)"},
      new String[] {"gvfs", "a mounted network share"},
      new String[] {".gvfs", "a mounted network share"},
      new String[] {"network shares", "a mounted network share"},
      new String[] {"netshares", "a mounted network share"});

  /**
   * The path's names, lower-cased, with separators, prefixes, {@code .} and {@code ..} resolved;
   * empty when the path is refused (too long, control characters, {@code ..} above the root).
   * A UNC path ({@code \\server\share\...}) starts with the name {@code "\\\\"}.
   */
  static Optional<List<String>> names(String path) {
    if (path.isEmpty() || path.length() > MAX_PATH) {
      return Optional.empty();
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        return Optional.empty();
      }
    }
    String p = path.replace('\\', '/').strip();
    List<String> out = new ArrayList<>();
    if (p.startsWith("//?/unc/") || p.startsWith("//?/UNC/")) {
      p = "//" + p.substring(8);
    } else if (p.startsWith("//?/") || p.startsWith("//./")) {
      p = p.substring(4);
    }
    if (p.startsWith("//")) {
      out.add("\\\\"); // UNC: a share on another machine
      p = p.substring(2);
    }
    String lower = p.toLowerCase(Locale.ROOT);
    if (lower.length() >= 2 && lower.charAt(1) == ':' && lower.charAt(0) >= 'a' && lower.charAt(0) <= 'z') {
      lower = lower.substring(2);
    }
    lower = expandPrefix(lower);
    String[] parts = lower.split("/", -1);
    if (parts.length > MAX_NAMES) {
      return Optional.empty();
    }
    int floor = out.size();
    for (String raw : parts) {
      String name = raw.strip();
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (name.equals("..")) {
        if (out.size() <= floor) {
          return Optional.empty();
        }
        out.remove(out.size() - 1);
        continue;
      }
      out.add(name);
    }
    return out.size() <= floor ? Optional.empty() : Optional.of(out);
  }

  /** Environment-like prefixes as the folders they usually are (the path is lower case). */
  private static String expandPrefix(String p) {
    String[][] prefixes = {
      {"%windir%", "windows"}, {"%systemroot%", "windows"}, {"$windir", "windows"},
      {"%systemdrive%", ""}, {"%temp%", "temp"}, {"%tmp%", "temp"}, {"$tmpdir", "tmp"},
      {"%userprofile%", "users/%user%"}, {"%homepath%", "users/%user%"}, {"%appdata%", "users/%user%/appdata/roaming"},
      {"%localappdata%", "users/%user%/appdata/local"}, {"%programfiles%", "program files"},
      {"%programfiles(x86)%", "program files (x86)"}, {"%programdata%", "programdata"},
      {"%public%", "users/public"}, {"$home", "home/%user%"}, {"~", "home/%user%"},
    };
    for (String[] e : prefixes) {
      if (p.equals(e[0]) || p.startsWith(e[0] + "/")) {
        return e[1] + p.substring(e[0].length());
      }
    }
    return p;
  }

  /**
   * Classifies the place of a matched file.
   *
   * @param path the finding's path as the agent reported it (relative to the scan root, or absolute)
   * @param runTargets programs the host's reported Run/RunServices values start (as reported;
   *     read with the same rules)
   */
  public static Place classify(String path, List<String> runTargets) {
    requireNonNull(path, "path");
    requireNonNull(runTargets, "runTargets");
    Optional<List<String>> parsed = names(path);
    if (parsed.isEmpty()) {
      return new Place(Kind.ELSEWHERE, "a path that cannot be read safely");
    }
    List<String> n = parsed.get();
    for (String target : runTargets.subList(0, Math.min(runTargets.size(), 64))) {
      Optional<List<String>> t = names(program(target));
      if (t.isPresent() && t.get().equals(n)) {
        return new Place(Kind.RAN, "the program a Run value of this host starts");
      }
    }
    if (n.get(0).equals("\\\\")) {
      return new Place(Kind.EXPOSURE, "a network share (UNC path)");
    }
    // A Windows tree inside Wine on Linux or macOS is a Windows tree too.
    int root = Math.max(n.lastIndexOf("drive_c") + 1, 0);
    List<String> w = n.subList(root, n.size());
    int folders = w.size() - 1;
    if (folders >= 1 && WINDOWS.contains(w.get(0))) {
      if (folders == 1) {
        return new Place(Kind.RAN, "the Windows folder");
      }
      if (SYSTEM.contains(w.get(1)) && !(w.contains("systemprofile"))) {
        return new Place(Kind.RAN, "the Windows system folder");
      }
    }
    if (folders >= 3 && w.get(folders - 1).equals("startup") && w.get(folders - 2).equals("programs")
        && w.get(folders - 3).equals("start menu")) {
      return new Place(Kind.RAN, "a Startup folder (programs there run at logon)");
    }
    String file = n.get(n.size() - 1);
    int dot = file.lastIndexOf('.');
    if (dot > 0 && MAIL_FILES.contains(file.substring(dot + 1))) {
      return new Place(Kind.EXPOSURE, "a mail store or saved message (." + file.substring(dot + 1) + ")");
    }
    for (int i = 0; i < n.size() - 1; i++) {
      String f = n.get(i);
      if (f.endsWith(".mbox") || f.endsWith(".sbd") || f.endsWith(".pst")) {
        return new Place(Kind.EXPOSURE, "a mail store");
      }
      for (String[] e : EXPOSURE_NAMES) {
        if (f.equals(e[0])) {
          return new Place(Kind.EXPOSURE, e[1]);
        }
      }
    }
    if (folders >= 1 && SHARE_ROOTS.contains(n.get(0))) {
      return new Place(Kind.EXPOSURE, "a share or mounted volume (/" + n.get(0) + ")");
    }
    if (folders >= 2 && (n.get(0).equals("var") || (n.get(0).equals("private") && n.get(1).equals("var")))
        && (n.contains("folders") || n.contains("mail"))) {
      return new Place(Kind.EXPOSURE, n.contains("mail") ? "a mail spool" : "a temp folder");
    }
    return new Place(Kind.ELSEWHERE, "not a folder the worm installs itself in or runs from");
  }

  /** The program of a Run value's data: the quoted or first path, without arguments. */
  static String program(String data) {
    String d = data.strip();
    if (d.startsWith("\"")) {
      int end = d.indexOf('"', 1);
      return end > 0 ? d.substring(1, end) : d.substring(1);
    }
    String lower = d.toLowerCase(Locale.ROOT);
    for (String ext : List.of(".exe", ".com", ".pif", ".scr", ".bat", ".cmd")) {
      int at = lower.indexOf(ext + " ");
      if (at > 0) {
        return d.substring(0, at + ext.length());
      }
    }
    return d;
  }
}
