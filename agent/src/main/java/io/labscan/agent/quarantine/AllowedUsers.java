package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.EgressPolicy;
import io.labscan.agent.checks.egress.linux.PasswdUserNames;
import io.labscan.agent.checks.egress.ProcessInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The local users a quarantine lets through (Linux, where the kernel knows a socket's owner only
 * as a uid): the users an order names, plus the <em>system</em> users that run a process of the
 * policy's allowlist right now (a local Postfix's {@code smtp} runs as {@code postfix}).
 *
 * <p><b>Why only system users are found from processes.</b> Allowing a uid allows every process of
 * that user. A mail client that a person runs as {@code linda} shares her uid with a worm she
 * started, so a login user (uid {@value #FIRST_LOGIN_UID} and up) or root is never allowed because
 * one of its processes is on the allowlist: her mail goes through the allowed destinations (the
 * campus relays) instead. An order may still name such a user explicitly.
 *
 * <p>Reads {@code /proc/PID/comm}, {@code exe} and {@code status} (its effective {@code Uid:}, the
 * owner of the sockets the process opens); at most {@value #MAX_PROCESSES} processes and
 * {@link QuarantineRules#MAX_ENTRIES} users.
 */
public final class AllowedUsers {
  /** Debian's first uid of a login user ({@code UID_MIN} in {@code /etc/login.defs}). */
  public static final long FIRST_LOGIN_UID = 1000;
  static final int MAX_PROCESSES = 100_000;

  private final Path proc;
  private final Path passwd;
  private final boolean byUser;

  public AllowedUsers(Path proc, Path passwd) {
    this(proc, passwd, true);
  }

  private AllowedUsers(Path proc, Path passwd, boolean byUser) {
    this.proc = requireNonNull(proc, "proc");
    this.passwd = requireNonNull(passwd, "passwd");
    this.byUser = byUser;
  }

  public static AllowedUsers system() {
    return new AllowedUsers(Path.of("/proc"), Path.of("/etc/passwd"));
  }

  /**
   * Nobody: for platforms whose quarantine does not allow by user (Windows allows by
   * application), so an order's {@code allowed_users} is not reported as if it were in force.
   */
  public static AllowedUsers none() {
    return new AllowedUsers(Path.of("/proc"), Path.of("/etc/passwd"), false);
  }

  /**
   * The uids to allow: {@code names} (user names, or uid numbers) resolved through the passwd
   * file (a name it lacks is skipped), and the system users running an allowlisted process.
   */
  public Set<Long> uids(List<String> names, EgressPolicy policy) {
    requireNonNull(names, "names");
    requireNonNull(policy, "policy");
    Set<Long> out = new TreeSet<>();
    if (!byUser) {
      return out;
    }
    Map<Long, String> users = readPasswd();
    for (String name : names.stream().limit(QuarantineRules.MAX_ENTRIES).toList()) {
      String n = name.strip();
      if (n.matches("[0-9]{1,10}")) {
        out.add(Long.parseLong(n));
        continue;
      }
      users.forEach((uid, userName) -> {
        if (userName.equals(n)) {
          out.add(uid);
        }
      });
    }
    if (!policy.allowlist().isEmpty()) {
      // Only the allowlist counts here: a mail server's "everything allowed" is no user's.
      EgressPolicy allowlist = new EgressPolicy(policy.ports(), policy.allowlist(), false, policy.includeLoopback(),
          policy.samplePeriod(), policy.window(), policy.eventMode());
      out.addAll(systemUsersRunning(allowlist));
    }
    return out.stream().limit(QuarantineRules.MAX_ENTRIES).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
  }

  private Set<Long> systemUsersRunning(EgressPolicy allowlist) {
    Set<Long> out = new TreeSet<>();
    int seen = 0;
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("[0-9]{1,10}"))) {
      for (Path pid : pids) {
        if (++seen > MAX_PROCESSES) {
          break;
        }
        Optional<Long> uid = effectiveUid(pid);
        if (uid.isEmpty() || uid.get() < 1 || uid.get() >= FIRST_LOGIN_UID || out.contains(uid.get())) {
          continue;
        }
        String name = read(pid.resolve("comm")).strip();
        String exe = "";
        try {
          exe = Files.readSymbolicLink(pid.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
          // a kernel thread, or not ours to see: the name alone decides
        }
        if (allowlist.allows(new ProcessInfo(Long.parseLong(pid.getFileName().toString()), name, exe, ""))) {
          out.add(uid.get());
        }
      }
    } catch (IOException e) {
      // no /proc: nobody found
    }
    return out;
  }

  /** The effective uid: the second number of the {@code Uid:} line. */
  static Optional<Long> effectiveUid(Path pid) {
    for (String line : read(pid.resolve("status")).split("\n")) {
      if (line.startsWith("Uid:")) {
        String[] f = line.substring(4).trim().split("\\s+");
        if (f.length >= 2 && f[1].matches("[0-9]{1,10}")) {
          return Optional.of(Long.parseLong(f[1]));
        }
      }
    }
    return Optional.empty();
  }

  private Map<Long, String> readPasswd() {
    return PasswdUserNames.parse(read(passwd));
  }

  private static String read(Path file) {
    try (var in = Files.newInputStream(file)) {
      return new String(in.readNBytes(4 * 1024 * 1024), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
