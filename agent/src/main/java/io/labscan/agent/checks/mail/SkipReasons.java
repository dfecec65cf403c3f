package io.labscan.agent.checks.mail;

/** The reasons under which the mail and harvest walks count what they pass over. */
public final class SkipReasons {
  /** A file or folder that could not be opened or read. */
  public static final String UNREADABLE = "unreadable";
  /** A file (or a single message inside a container) over the policy's size limit. */
  public static final String TOO_LARGE = "too-large";
  /** A symbolic link whose target lies outside the scanned root. */
  public static final String LINK_OUTSIDE_ROOT = "link-outside-root";
  /** A symbolic link inside a profile or spool: never followed (docs/checks-mail.md). */
  public static final String LINK_NOT_FOLLOWED = "link-not-followed";
  /** A FIFO, socket, device or Windows junction inside a profile: never opened. */
  public static final String NOT_REGULAR = "not-regular-file";
  /** A folder below the walk's depth limit. */
  public static final String TOO_DEEP = "too-deep";
  /** A message the MIME parser could not make sense of. */
  public static final String MALFORMED_MESSAGE = "malformed-message";
  /** A store whose framing is broken (bad .emlx length line, .dbx without signature). */
  public static final String MALFORMED_STORE = "malformed-store";
  /** A message whose MIME tree is deeper or wider than the limits; the rest was ignored. */
  public static final String MIME_TRUNCATED = "mime-truncated";

  private SkipReasons() {}
}
