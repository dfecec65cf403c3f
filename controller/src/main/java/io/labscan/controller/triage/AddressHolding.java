package io.labscan.controller.triage;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A host's reported ownership of an IP address over a time span.
 *
 * @param hostId the host's LabScan id
 * @param hostname the host's name as last reported (untrusted text, for people)
 * @param ip the address, canonical text
 * @param since first report that showed the address on one of the host's interfaces
 * @param until first later report that no longer showed it (or that another host showed
 *     it); empty while the host still holds it
 */
public record AddressHolding(
    String hostId, String hostname, String ip, Instant since, Optional<Instant> until) {

  public AddressHolding {
    Objects.requireNonNull(hostId, "hostId");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
  }

  /** True when the host held the address at that instant ({@code since <= at < until}). */
  public boolean covers(Instant at) {
    return !since.isAfter(at) && until.map(at::isBefore).orElse(true);
  }
}
