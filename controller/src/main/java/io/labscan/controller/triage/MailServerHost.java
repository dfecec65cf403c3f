package io.labscan.controller.triage;

import java.util.List;
import java.util.Objects;

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
}
