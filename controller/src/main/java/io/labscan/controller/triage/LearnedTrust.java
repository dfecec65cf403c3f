package io.labscan.controller.triage;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the fleet teaches the trust walk, with no configuration at all: which LabScan hosts held
 * a client address when a line was written, and which of them have the mail-server role.
 *
 * <p>Everything here rests on agents' own reports, so it is read with its attacks in mind
 * (docs/triage.md, "Learned trust"):
 *
 * <ul>
 *   <li>Only an administrator grants the mail-server role, so an agent cannot make itself
 *       trusted by reporting anything: a lab PC claiming the MX's address is ignored when the
 *       MX's own agent held it too (the mail server wins), and otherwise only ends the walk at
 *       that line, naming the liar itself as the holder of the origin.
 *   <li>Names reported by mail servers are compared only with reverse DNS names a trusted MTA
 *       recorded, never with HELO names (which the client chooses), and only distinctive ones
 *       ({@link MailServerHost#distinctiveName}): never {@code localhost.localdomain} or a bare
 *       host name. What other hosts call themselves neither adds nor removes a name: a lab PC
 *       naming itself like the MX gains no trust and cannot take the MX's name away.
 * </ul>
 *
 * One instance serves one walk and answers at most {@link #MAX_LOOKUPS} address questions, so
 * a complaint with thousands of Received: lines cannot make the walk query the store without
 * bound.
 */
final class LearnedTrust {
  /** Address questions one walk may ask the store. */
  static final int MAX_LOOKUPS = 64;

  /** A LabScan host that held a client address at a line's time. */
  record Holder(String hostId, String hostname, boolean mailServer) {}

  private final TriageEvidence evidence;
  private final Map<String, List<Holder>> cache = new HashMap<>();
  private @Nullable Map<String, MailServerHost> servers;
  private int lookups;
  private boolean exhausted;

  LearnedTrust(TriageEvidence evidence) {
    this.evidence = Objects.requireNonNull(evidence, "evidence");
  }

  /** True once a question went unasked because the walk used up its lookups. */
  boolean exhausted() {
    return exhausted;
  }

  private Map<String, MailServerHost> servers() {
    Map<String, MailServerHost> loaded = servers;
    if (loaded == null) {
      loaded = new HashMap<>();
      for (MailServerHost m : evidence.mailServers()) {
        loaded.put(m.hostId(), m);
      }
      servers = loaded;
    }
    return loaded;
  }

  /** Hosts whose reports place {@code ip} on an interface at {@code at}, mail servers first. */
  List<Holder> holders(String ip, Instant at) {
    String key = ip + "@" + at;
    List<Holder> known = cache.get(key);
    if (known != null) {
      return known;
    }
    if (lookups >= MAX_LOOKUPS) {
      exhausted = true;
      return List.of();
    }
    lookups++;
    List<Holder> out = new ArrayList<>();
    for (AddressHolding h : evidence.holdersOf(ip, at)) {
      boolean sameIp = Ips.canonical(h.ip()).map(ip::equals).orElse(false);
      if (sameIp && h.covers(at) && out.stream().noneMatch(x -> x.hostId().equals(h.hostId()))) {
        out.add(new Holder(h.hostId(), h.hostname(), servers().containsKey(h.hostId())));
      }
    }
    out.sort((a, b) -> Boolean.compare(b.mailServer(), a.mailServer()));
    cache.put(key, List.copyOf(out));
    return cache.get(key);
  }

  /** The mail server whose inventory reported this fully qualified name, if any. */
  Optional<MailServerHost> named(String name) {
    String n = TrustConfig.normalizeHost(name);
    if (!MailServerHost.distinctiveName(n)) {
      // localhost.localdomain, a bare host name, mx.local: names any machine may carry.
      return Optional.empty();
    }
    for (MailServerHost m : servers().values()) {
      for (String s : m.names()) {
        if (MailServerHost.distinctiveName(s) && TrustConfig.normalizeHost(s).equals(n)) {
          return Optional.of(m);
        }
      }
    }
    return Optional.empty();
  }
}
