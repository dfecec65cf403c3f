package io.labscan.agent.checks.egress;

import static java.util.Objects.requireNonNull;

/**
 * The owner of a socket as far as the OS told it. Text fields are empty when unknown (as
 * in the wire format); {@code pid} is 0 when the owning process is unknown.
 *
 * @param pid process id, 0 when unknown
 * @param name process name (Linux: {@code comm}, at most 15 characters). Untrusted text.
 * @param path executable path. Untrusted text.
 * @param user user name, or the numeric uid when it has no name. Untrusted text.
 */
public record ProcessInfo(long pid, String name, String path, String user) {
  private static final ProcessInfo UNKNOWN = new ProcessInfo(0, "", "", "");

  public ProcessInfo {
    requireNonNull(name, "name");
    requireNonNull(path, "path");
    requireNonNull(user, "user");
    if (pid < 0) {
      throw new IllegalArgumentException("negative pid " + pid);
    }
  }

  /** Nothing known: TIME_WAIT rows, or sockets the agent had no right to look at. */
  public static ProcessInfo unknown() {
    return UNKNOWN;
  }

  /** Only the user is known (a socket's uid, or a kernel log line's UID=). */
  public static ProcessInfo userOnly(String user) {
    return new ProcessInfo(0, "", "", user);
  }

  /** True when the owning process is known. */
  public boolean isAttributed() {
    return pid > 0;
  }

  /**
   * Combines what two sources know about the same socket: fields this one leaves empty are
   * taken from {@code other}. When both name different processes (a 4-tuple reused by
   * another process inside one window), this one wins: the first owner seen keeps it.
   */
  public ProcessInfo mergedWith(ProcessInfo other) {
    requireNonNull(other, "other");
    if (isAttributed() && other.isAttributed() && pid != other.pid) {
      return this;
    }
    return new ProcessInfo(
        isAttributed() ? pid : other.pid,
        name.isEmpty() ? other.name : name,
        path.isEmpty() ? other.path : path,
        user.isEmpty() ? other.user : user);
  }
}
