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

  /**
   * A LabScan host that held a client address at a line's time.
   *
   * @param interfaceName the interface its report placed the address on (agent's text; empty when
   *     unknown), see {@link InterfaceKind}
   */
  record Holder(String hostId, String hostname, boolean mailServer, String interfaceName) {
    Holder {
      java.util.Objects.requireNonNull(interfaceName, "interfaceName");
    }

    Holder(String hostId, String hostname, boolean mailServer) {
      this(hostId, hostname, mailServer, "");
    }
  }

  private final TriageEvidence evidence;
  private final Map<String, List<AddressHolding>> cache = new HashMap<>();
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
    List<Holder> out = new ArrayList<>();
    for (AddressHolding h : holdings(ip, at)) {
      if (h.covers(at) && out.stream().noneMatch(x -> x.hostId().equals(h.hostId()))) {
        out.add(new Holder(h.hostId(), h.hostname(), servers().containsKey(h.hostId()), h.interfaceName()));
      }
    }
    out.sort((a, b) -> Boolean.compare(b.mailServer(), a.mailServer()));
    return List.copyOf(out);
  }

  /**
   * Whether the address's most recent holder at {@code at} was a host with the mail-server role,
   * while that holding still speaks for the address ({@link #standingHolding}): learned evidence
   * that the address is an MTA's, which a network entry's cover needs ({@link NetworkCoverage}; a
   * relay whose agent's last report is older than the line).
   *
   * <p>Only while it still speaks (issue 15, red-team round 6, N0b): a mail server that held
   * {@code 10.20.3.40} months ago, was renumbered (its next report showed another address) and
   * whose old address then went to a NAT or a lab segment without agents, says nothing about who
   * has the address now. Counting that holding made the agentless NAT "an MTA's", so the walk
   * stepped through it and believed the line the worm behind it forged below, recording the
   * innocent host named there. A holding the server's own later report closed never counts after
   * its end; a silence counts no longer than a lease could last ({@link
   * TriageOptions#MAX_LEASE_HOLD}), the bound {@link #lastLabHolder} uses. Past it the network
   * entry alone covers the client, which is then the boundary: the safe direction.
   */
  boolean lastHeldByMailServer(String ip, Instant at) {
    return standingHolding(ip, at).filter(h -> servers().containsKey(h.hostId())).isPresent();
  }

  /**
   * A LabScan host without the mail-server role that held {@code ip} before {@code at} and fell
   * silent while holding it, when it was the address's most recent holder (the holding that began
   * last, within the address history the store answers with), no mail-server host held the address
   * since that holding began, and {@code at} is less than {@link TriageOptions#MAX_LEASE_HOLD}
   * after its last report that showed the address. Empty otherwise: when a mail server held it
   * last (or since), the fleet never saw the address, the last holder gave the address up by a
   * later report without it, or its silence is older than that bound.
   *
   * <p>Why: "lab machines are not MTAs" must not depend on a lab host's agent still reporting.
   * Klez kills processes, so the worm's host is often silent by the time it mails; its last
   * holding then no longer covers the line's time, yet nothing says the address changed hands.
   * A network entry ({@code --trust 10.20.0.0/16}) states where the MTAs are, not that every
   * machine in it is one, so it must not turn such an address into an MTA (issue 15, red-team
   * round 3, F2). Shares the lookup (and its bound) with {@link #holders}.
   *
   * <p>But an ended holding is evidence about who had the address only while it lasted (issue 15,
   * red-team round 4, F1). A host that later reported <em>without</em> the address gave it up:
   * nothing links it to the address afterwards (a PC renumbered months ago, a VPN adapter that
   * once carried it, a worm that added the relay's address as an alias for one report and removed
   * it, to make every later message through that relay stop at the relay's line). And a silence
   * says nothing for longer than a DHCP lease could have lasted: past {@code MAX_LEASE_HOLD} (the
   * longest a reported lease keeps a silent host's holding, at least the holding grace) the
   * configured entry stands. Within it, the silent host is exactly the candidate triage ranks as
   * "silent since …" (it ranks silent holders up to {@code Triage.SILENT_HORIZON} after the
   * holding lapsed), so the answer names it rather than nobody.
   */
  Optional<LabHolding> lastLabHolder(String ip, Instant at) {
    Optional<AddressHolding> standing = standingHolding(ip, at)
        .filter(h -> !servers().containsKey(h.hostId()) && h.silentAfter().isPresent());
    if (standing.isEmpty()) {
      return Optional.empty();
    }
    AddressHolding last = standing.get();
    Instant began = last.since();
    for (AddressHolding h : holdings(ip, at)) {
      if (servers().containsKey(h.hostId()) && !h.since().isAfter(at)
          && h.until().map(u -> u.isAfter(began)).orElse(true)) {
        return Optional.empty();
      }
    }
    return Optional.of(new LabHolding(new Holder(last.hostId(), last.hostname(), false, last.interfaceName()),
        last.silentAfter()));
  }

  /**
   * The address's most recent holding at {@code at}, while it still speaks for the address; the
   * one selection {@link #lastHeldByMailServer} and {@link #lastLabHolder} share. Most recent: the
   * holding that began last at or before {@code at}, within the address history the store answers
   * with (a mail server's wins a tie: only an administrator grants that role). It still speaks when
   * it covers {@code at}, or when the host fell silent while holding it ({@code silentAfter}) and
   * {@code at} is less than {@link TriageOptions#MAX_LEASE_HOLD} after its last report showing the
   * address. Empty when nothing held it by then, when the most recent holder gave the address up by
   * a later report without it, or when its silence is older than that bound: then nothing the
   * fleet knows says whose the address is at {@code at}.
   */
  private Optional<AddressHolding> standingHolding(String ip, Instant at) {
    AddressHolding last = null;
    for (AddressHolding h : holdings(ip, at)) {
      if (h.since().isAfter(at)) {
        continue;
      }
      boolean server = servers().containsKey(h.hostId());
      if (last == null || h.since().isAfter(last.since()) || (h.since().equals(last.since()) && server)) {
        last = h;
      }
    }
    if (last == null) {
      return Optional.empty();
    }
    boolean stands = last.covers(at) || last.silentAfter()
        .map(seen -> at.isBefore(seen.plus(TriageOptions.MAX_LEASE_HOLD))).orElse(false);
    return stands ? Optional.of(last) : Optional.empty();
  }

  /**
   * A lab host's most recent holding of an address.
   *
   * @param lastSeen its last report showing the address (it fell silent after it)
   */
  record LabHolding(Holder holder, Optional<Instant> lastSeen) {}

  /** Every holding of {@code ip} the store returns for {@code at} (same address only), one lookup per question. */
  private List<AddressHolding> holdings(String ip, Instant at) {
    String key = ip + "@" + at;
    List<AddressHolding> known = cache.get(key);
    if (known != null) {
      return known;
    }
    if (lookups >= MAX_LOOKUPS) {
      exhausted = true;
      return List.of();
    }
    lookups++;
    List<AddressHolding> out = new ArrayList<>();
    for (AddressHolding h : evidence.holdersOf(ip, at)) {
      if (Ips.canonical(h.ip()).map(ip::equals).orElse(false)) {
        out.add(h);
      }
    }
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
