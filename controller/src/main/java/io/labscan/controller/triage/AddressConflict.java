package io.labscan.controller.triage;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Several hosts reported the same address at the same instant. Addresses are claims: a
 * misconfigured clone, a static address typed twice, or an agent lying about its address. No
 * claim ends another; every claimant stays a candidate and the answer says so.
 *
 * <p>JSON: {@code ip}, {@code at} (the instant asked about), {@code since} (when the overlap
 * began: the latest claimant's start), {@code hosts[]} ({@code hostId}, {@code hostname},
 * {@code since}, {@code mac}, {@code interface}, {@code established}).
 *
 * @param established ids of the claimants whose interface's MAC address held {@code ip} before
 *     the overlap began (see {@link #established(AddressHolding, List, Instant)})
 */
public record AddressConflict(String ip, Instant at, Instant since, List<AddressHolding> holders,
    java.util.Set<String> established) {
  public AddressConflict {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(since, "since");
    holders = List.copyOf(holders);
    established = java.util.Set.copyOf(established);
    if (holders.size() < 2) {
      throw new IllegalArgumentException("a conflict needs two claimants: " + holders.size());
    }
  }

  /** A conflict without MAC history. */
  public AddressConflict(String ip, Instant at, Instant since, List<AddressHolding> holders) {
    this(ip, at, since, holders, java.util.Set.of());
  }

  /**
   * Whether a claim is <em>established</em>: the MAC address of the interface that carries it
   * held the same address before the overlap began ({@code since}) — the incumbent's own earlier
   * reports, or an earlier tenure of the same network card (a reinstalled machine). A claim from
   * a MAC that never held the address before, or from an interface without a MAC, is fresh.
   * MACs are reports too: an agent that copies its victim's MAC makes both claims established
   * (a tie, and the "same MAC" warning), never more.
   *
   * <p>An established claim must also be a live one: the claimant reported the address at or
   * after the moment the overlap began. A host that fell silent before the newcomer's claim (its
   * holding only inferred from silence, see {@link AddressHolding#silentAfter}) never saw that
   * claim and cannot contest it; its old MAC history must not outrank the host that reports the
   * address now.
   *
   * @param history every reported holding of the address (any host, any time)
   */
  public static boolean established(AddressHolding claim, List<AddressHolding> history, Instant since) {
    String mac = claim.mac().trim();
    if (mac.isEmpty()) {
      return false;
    }
    if (claim.silentAfter().map(last -> last.isBefore(since)).orElse(false)) {
      return false;
    }
    for (AddressHolding g : history) {
      if (g.mac().trim().equalsIgnoreCase(mac) && g.since().isBefore(since)) {
        return true;
      }
    }
    return false;
  }

  /** "10.20.3.20 is claimed by lab-pc-07 (id) and lab-pc-12 (id) since 2026-…Z" (untrusted names). */
  public String describe() {
    StringBuilder sb = new StringBuilder(ip).append(" is claimed by ");
    for (int i = 0; i < holders.size(); i++) {
      AddressHolding h = holders.get(i);
      if (i > 0) {
        sb.append(i == holders.size() - 1 ? " and " : ", ");
      }
      sb.append(h.hostname()).append(" (").append(h.hostId()).append(')');
    }
    return sb.append(" since ").append(since).toString();
  }

  @JsonValue
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("ip", ip);
    n.put("at", at.toString());
    n.put("since", since.toString());
    ArrayNode hosts = n.putArray("hosts");
    for (AddressHolding h : holders) {
      ObjectNode o = hosts.addObject();
      o.put("hostId", h.hostId());
      o.put("hostname", h.hostname());
      o.put("since", h.since().toString());
      o.put("mac", h.mac());
      o.put("interface", h.interfaceName());
      o.put("established", established.contains(h.hostId()));
    }
    return n;
  }
}
