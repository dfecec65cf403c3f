package io.labscan.controller.triage;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A LabScan host an administrator gave the mail-server role ({@code policy --mail-server}).
 *
 * @param hostId the host's LabScan id
 * @param hostname its reported host name (untrusted text, for people)
 * @param names the fully qualified names its inventory reported (host name when it has a dot,
 *     FQDN), lower case: compared only with reverse DNS names a trusted MTA recorded, never
 *     with HELO names
 */
public record MailServerHost(String hostId, String hostname, List<String> names) {
  public MailServerHost {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(hostname, "hostname");
    names = List.copyOf(names);
  }

  /** Last labels that name no site: every machine may carry them (RFC 2606, RFC 6761, mDNS). */
  private static final Set<String> GENERIC_SUFFIXES = Set.of("localdomain", "localhost", "local", "invalid",
      "home", "lan", "arpa");

  /**
   * Whether a reported name can identify one machine to the trust walk: fully qualified (a dot
   * inside), not an address literal, not {@code localhost} in any form ({@code
   * localhost.localdomain}, {@code localhost.example.edu}), and not under a suffix every
   * machine may use by default ({@code .localdomain}, {@code .local}, {@code .lan}, {@code
   * .home} …). A mail server that reports such a name (an unconfigured MX says {@code
   * localhost.localdomain}) would otherwise make every line written "by localhost.localdomain"
   * ours. Names other (non-mail-server) hosts report too stay usable: names are compared only
   * with reverse DNS names trusted MTAs recorded, so such a host gains nothing (see {@code
   * SqliteTriageEvidence#mailServers}).
   */
  public static boolean distinctiveName(String name) {
    if (name == null) {
      return false;
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    int dot = n.indexOf('.');
    if (dot <= 0 || dot == n.length() - 1 || n.contains("..") || n.indexOf(':') >= 0 || n.matches("[0-9.]+")) {
      return false;
    }
    String first = n.substring(0, dot);
    String last = n.substring(n.lastIndexOf('.') + 1);
    return !first.equals("localhost") && !first.startsWith("localhost") && !first.equals("ip6-localhost")
        && !GENERIC_SUFFIXES.contains(last);
  }
}
