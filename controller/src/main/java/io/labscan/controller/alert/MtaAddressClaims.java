package io.labscan.controller.alert;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.fleet.Cidr;
import io.labscan.controller.verdict.Reason;
import io.labscan.controller.verdict.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A lab machine that reports the exact address of a configured MTA (issue 15, D): "a PC claiming
 * a configured MTA's exact address" is a false claim (a lying agent, or a misconfiguration).
 * Triage ignores the claim and warns in its answer ({@code triage.OriginResolver}); this class
 * finds the same claims outside of any complaint, so they raise an alert and show on the host's
 * page like an address conflict between two hosts.
 *
 * <p>Exact entries only: a {@code --trust} or Settings entry that is one address ({@code
 * 10.20.0.25}, {@code 10.20.0.25/32}, {@code 2001:db8::25/128}) is the administrator's word
 * about one machine, the same rule triage applies. A network entry ({@code 10.20.0.0/24}) is
 * not: lab machines may well hold addresses inside a trusted network. Exact host-name entries
 * are not compared either: an agent reports addresses, and the controller does not resolve
 * names (no DNS on the evidence path). Addresses are compared as bytes, so {@code 2001:db8::25}
 * and {@code 2001:DB8:0::25} are one address.
 *
 * <p>Hosts with the mail-server role are not lab machines for this rule (an MTA may run an
 * agent); the callers leave them out.
 */
public final class MtaAddressClaims {
  /** Evidence code of the reason (alerts, the host page). */
  public static final String CODE = "mta-address-claim";

  private MtaAddressClaims() {}

  /**
   * One false claim.
   *
   * @param ip the address as the agent reported it
   * @param entry the configured entry naming exactly that address
   */
  public record Claim(String ip, String entry) {
    public Claim {
      requireNonNull(ip, "ip");
      requireNonNull(entry, "entry");
    }

    /** What the claim is, for people (the host's name and id come from the caller: endpoint text). */
    public String describe(String hostname, String hostId) {
      return hostname + " (" + hostId + ") claims " + ip + ", the address of the configured MTA --trust " + entry
          + ": a false claim (a lying agent, or a misconfiguration); triage ignores it and keeps trusting the MTA";
    }

    /** The alert reason: code {@link #CODE}, evidence naming the entry. */
    public Reason reason(String hostname, String hostId) {
      return new Reason(CODE, describe(hostname, hostId), "trust entry " + entry);
    }
  }

  /** The address an entry names exactly, as bytes; empty for a network, a name, or anything else. */
  static Optional<byte[]> exactAddress(String entry) {
    String e = entry == null ? "" : entry.strip();
    int slash = e.indexOf('/');
    if (slash < 0) {
      return Cidr.literal(e);
    }
    Optional<byte[]> address = Cidr.literal(e.substring(0, slash));
    String prefix = e.substring(slash + 1);
    if (address.isEmpty() || !prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) != address.get().length * 8) {
      return Optional.empty();
    }
    return address;
  }

  /**
   * The claims among one host's addresses: each address that is exactly a configured entry's.
   * O(addresses × entries); both are bounded (an agent's report, {@code TrustedMtas.MAX_ENTRIES}).
   */
  public static List<Claim> find(Collection<String> trustEntries, Collection<String> addresses) {
    requireNonNull(trustEntries, "trustEntries");
    requireNonNull(addresses, "addresses");
    List<String> entries = new ArrayList<>();
    List<byte[]> exact = new ArrayList<>();
    for (String e : trustEntries) {
      exactAddress(e).ifPresent(b -> {
        entries.add(e.strip());
        exact.add(b);
      });
    }
    List<Claim> out = new ArrayList<>();
    if (exact.isEmpty()) {
      return out;
    }
    for (String ip : addresses) {
      Optional<byte[]> b = Cidr.literal(ip);
      if (b.isEmpty()) {
        continue;
      }
      for (int i = 0; i < exact.size(); i++) {
        if (Arrays.equals(exact.get(i), b.get())) {
          out.add(new Claim(ip, entries.get(i)));
          break;
        }
      }
    }
    return out;
  }

  /** The alert: the conflict kind (same path, claims and sinks as two hosts' address conflict). */
  public static Alert alert(String hostId, String hostname, Verdict current, Instant at, Claim claim) {
    requireNonNull(claim, "claim");
    return new Alert(Alert.Kind.ADDRESS_CONFLICT, hostId, hostname, current, at,
        List.of(claim.reason(hostname, hostId)));
  }
}
