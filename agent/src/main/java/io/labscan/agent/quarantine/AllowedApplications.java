package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.ProcessInfo;
import io.labscan.contract.quarantine.QuarantineRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The applications a Windows quarantine lets through (a WFP permit per executable path): every
 * allowlist entry that is an absolute Windows path, plus the executables of running processes the
 * allowlist names by name, <em>if they are installed in a protected folder</em> (Program Files,
 * the Windows folder).
 *
 * <p><b>Why only protected folders for names.</b> A name says nothing: the worm can call itself
 * {@code OUTLOOK.EXE} in the user's temp folder, and allowing its path would let it mail. Only an
 * administrator can write below {@code %ProgramFiles%} or {@code %SystemRoot%}, so a process of
 * the allowed name running from there is the installed program (the same rule as Linux's
 * {@link AllowedUsers}, which lets system users through but never a login user because one of her
 * processes has an allowed name). An operator who wants anything else names its full path in the
 * allowlist. Paths with {@code ..} segments are never taken.
 */
public final class AllowedApplications {
  static final int MAX_PROCESSES = 100_000;

  private final Supplier<Stream<ProcessInfo>> processes;
  private final List<String> protectedFolders;

  /**
   * @param processes the running processes (pid, name, executable path)
   * @param protectedFolders folders only administrators can write ({@code C:\Program Files})
   */
  public AllowedApplications(Supplier<Stream<ProcessInfo>> processes, List<String> protectedFolders) {
    this.processes = requireNonNull(processes, "processes");
    this.protectedFolders = requireNonNull(protectedFolders, "protectedFolders").stream()
        .filter(f -> isWindowsPath(f))
        .map(f -> f.endsWith("\\") ? f : f + "\\").toList();
  }

  /** This Windows machine: its processes (ProcessHandle) and its Program Files and Windows folders. */
  public static AllowedApplications windows() {
    List<String> folders = new ArrayList<>();
    for (String variable : List.of("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432", "SystemRoot")) {
      String value = System.getenv(variable);
      if (value != null && !value.isBlank()) {
        folders.add(value);
      }
    }
    return new AllowedApplications(() -> ProcessHandle.allProcesses().map(p -> {
      String command = p.info().command().orElse("");
      return new ProcessInfo(p.pid(), EgressPolicy.fileName(command), command, "");
    }), folders);
  }

  /** The executable paths to let through, sorted, at most {@link QuarantineRules#MAX_ENTRIES}. */
  public Set<String> paths(EgressPolicy policy) {
    requireNonNull(policy, "policy");
    Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    List<String> byName = new ArrayList<>();
    for (String entry : policy.allowlist()) {
      if (isWindowsPath(entry)) {
        if (plain(entry)) {
          out.add(entry);
        }
      } else if (!entry.startsWith("/")) {
        byName.add(entry);
      }
    }
    if (!byName.isEmpty()) {
      // Only the names count here: a mail server's "everything allowed" is no application's.
      EgressPolicy names = new EgressPolicy(policy.ports(), byName, false, policy.includeLoopback(),
          policy.samplePeriod(), policy.window(), policy.eventMode());
      try (Stream<ProcessInfo> running = processes.get()) {
        running.limit(MAX_PROCESSES)
            .filter(p -> isWindowsPath(p.path()) && plain(p.path()) && inProtectedFolder(p.path()))
            .filter(names::allows)
            .forEach(p -> out.add(p.path()));
      }
    }
    return out.stream().limit(QuarantineRules.MAX_ENTRIES).collect(
        java.util.stream.Collectors.toCollection(() -> new TreeSet<>(String.CASE_INSENSITIVE_ORDER)));
  }

  private boolean inProtectedFolder(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    return protectedFolders.stream().anyMatch(f -> lower.startsWith(f.toLowerCase(Locale.ROOT)));
  }

  /** No {@code .} or {@code ..} segment, no forward slash, no control character, not too long. */
  private static boolean plain(String path) {
    if (path.length() > 4096 || path.contains("/") || path.chars().anyMatch(Character::isISOControl)) {
      return false;
    }
    for (String segment : path.split("\\\\")) {
      if (segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** {@code C:\...}: a drive-letter path. */
  private static boolean isWindowsPath(String s) {
    return s.length() > 3 && Character.isLetter(s.charAt(0)) && s.charAt(1) == ':' && s.charAt(2) == '\\';
  }
}
