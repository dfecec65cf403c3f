package io.labscan.controller.triage;

import io.labscan.contract.harvest.AddressDigest;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * In-memory evidence. {@link #holdersOf} deliberately returns every holding of the address,
 * whatever its time span, so tests show that triage itself never blames another holder.
 */
final class FakeEvidence implements TriageEvidence {
  private final byte[] key;
  private final List<AddressHolding> holdings = new ArrayList<>();
  private final List<EgressHit> egress = new ArrayList<>();
  private final Map<String, Set<ByteBuffer>> harvests = new LinkedHashMap<>();
  private final Map<String, HostState> hosts = new HashMap<>();
  private final Map<String, List<String>> owners = new HashMap<>();
  private final List<MailServerHost> mailServers = new ArrayList<>();
  private final List<String> configured = new ArrayList<>();

  FakeEvidence(byte[] key) {
    this.key = key.clone();
  }

  FakeEvidence host(String id, String name) {
    hosts.put(id, new HostState(id, name, Optional.empty(), "unknown", List.of()));
    return this;
  }

  FakeEvidence held(String hostId, String ip, Instant since, Instant until) {
    holdings.add(new AddressHolding(hostId, name(hostId), ip, since, Optional.ofNullable(until)));
    return this;
  }

  /** A holding with its interface's MAC. */
  FakeEvidence heldOn(String hostId, String ip, String mac, Instant since, Instant until) {
    holdings.add(new AddressHolding(hostId, name(hostId), ip, since, Optional.ofNullable(until), mac, "eth0",
        Optional.empty()));
    return this;
  }

  /** A host that reported {@code ip} last at {@code lastReport} and then fell silent. */
  FakeEvidence heldThenSilent(String hostId, String ip, Instant since, Instant lastReport, java.time.Duration grace) {
    holdings.add(new AddressHolding(hostId, name(hostId), ip, since, Optional.of(lastReport.plus(grace)), "", "",
        Optional.of(lastReport)));
    return this;
  }

  /** A holding the host's own later report ended ({@code until}: the first report without the address), on {@code iface}. */
  FakeEvidence heldOnInterface(String hostId, String ip, String iface, Instant since, Instant until) {
    holdings.add(new AddressHolding(hostId, name(hostId), ip, since, Optional.ofNullable(until), "", iface,
        Optional.empty()));
    return this;
  }

  /** A host that reported {@code ip} on an interface with {@code mac} last at {@code lastReport}, then fell silent. */
  FakeEvidence heldOnThenSilent(String hostId, String ip, String mac, Instant since, Instant lastReport,
      java.time.Duration grace) {
    holdings.add(new AddressHolding(hostId, name(hostId), ip, since, Optional.of(lastReport.plus(grace)), mac, "eth0",
        Optional.of(lastReport)));
    return this;
  }

  FakeEvidence egress(String hostId, Instant start, Instant end, boolean allowed, String... destinations) {
    egress.add(new EgressHit(hostId, name(hostId), start, end, 3 * destinations.length,
        List.of(destinations), Optional.of("wink.exe"), allowed));
    return this;
  }

  /** An SMTP egress window by the named process (a mail client policy allows, or a worm it does not). */
  FakeEvidence egressBy(String hostId, String process, Instant start, Instant end, boolean allowed,
      String... destinations) {
    egress.add(new EgressHit(hostId, name(hostId), start, end, 3 * destinations.length,
        List.of(destinations), Optional.of(process), allowed));
    return this;
  }

  /** An SMTP egress window with its connection count: a worm's mass mailing, or a person's one forward. */
  FakeEvidence egressBurst(String hostId, String process, Instant start, Instant end, int connections,
      boolean allowed, String... destinations) {
    egress.add(new EgressHit(hostId, name(hostId), start, end, connections, List.of(destinations),
        Optional.of(process), allowed));
    return this;
  }

  FakeEvidence harvested(String hostId, String... addresses) {
    Set<ByteBuffer> set = harvests.computeIfAbsent(hostId, k -> new HashSet<>());
    for (String a : addresses) {
      set.add(ByteBuffer.wrap(AddressDigest.digest(key, a)));
    }
    return this;
  }

  /** Gives a host the mail-server role; names are the FQDNs its inventory reported. */
  FakeEvidence mailServer(String hostId, String... names) {
    mailServers.add(new MailServerHost(hostId, name(hostId), List.of(names)));
    return this;
  }

  /** An entry on the Settings page. */
  FakeEvidence configured(String entry) {
    configured.add(entry);
    return this;
  }

  FakeEvidence owns(String hostId, String address) {
    owners.computeIfAbsent(address, a -> new java.util.ArrayList<>()).add(hostId);
    return this;
  }

  private String name(String hostId) {
    return Optional.ofNullable(hosts.get(hostId)).map(HostState::hostname).orElse(hostId);
  }

  private boolean knowsAddresses;

  /**
   * Makes {@link #addressesOf} answer from the holdings (off by default: the store then knows
   * nothing of a host's other addresses, and a virtual adapter's holding is taken as virtual).
   */
  FakeEvidence knowsAddresses() {
    knowsAddresses = true;
    return this;
  }

  @Override
  public List<AddressHolding> addressesOf(String hostId, Instant at) {
    return knowsAddresses ? holdings.stream().filter(h -> h.hostId().equals(hostId)).toList() : List.of();
  }

  @Override
  public List<AddressHolding> holdersOf(String ip, Instant at) {
    return holdings.stream().filter(h -> h.ip().equals(ip)).toList();
  }

  @Override
  public List<EgressHit> egressNear(Collection<String> hostIds, Instant from, Instant to) {
    return egress.stream().filter(e -> hostIds.contains(e.hostId()) && e.overlaps(from, to)).toList();
  }

  @Override
  public List<EgressHit> unallowedEgressBetween(Instant from, Instant to) {
    return egress.stream().filter(e -> !e.allowed() && e.overlaps(from, to)).toList();
  }

  @Override
  public Map<String, Integer> harvestMatches(Collection<byte[]> digests) {
    Map<String, Integer> out = new LinkedHashMap<>();
    Set<ByteBuffer> wanted = new HashSet<>();
    digests.forEach(d -> wanted.add(ByteBuffer.wrap(d)));
    harvests.forEach((host, set) -> {
      int n = (int) wanted.stream().filter(set::contains).count();
      if (n > 0) {
        out.put(host, n);
      }
    });
    return out;
  }

  @Override
  public Optional<HostState> hostOwningAddress(String emailAddress) {
    return hostsOwningAddress(emailAddress).stream().findFirst();
  }

  @Override
  public List<HostState> hostsOwningAddress(String emailAddress) {
    return owners.getOrDefault(emailAddress, List.of()).stream().map(hosts::get).filter(java.util.Objects::nonNull)
        .toList();
  }

  @Override
  public Optional<HostState> host(String hostId) {
    return Optional.ofNullable(hosts.get(hostId));
  }

  @Override
  public List<MailServerHost> mailServers() {
    return List.copyOf(mailServers);
  }

  @Override
  public List<String> configuredTrust() {
    return List.copyOf(configured);
  }
}
