package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-address limit on single sign-on starts and callbacks (issue 18): both are anonymous, and
 * each callback with a state cookie from a fresh start makes the controller call the provider's
 * token endpoint under LabScan's client credentials, so without a limit one client could flood
 * the campus provider and hold web threads. Counted per client address (an IPv6 address by its
 * /64, as {@link LoginThrottle} counts it) in fixed windows of {@link #WINDOW}; checked before
 * any provider call. A person needs one start and one callback per login, so the limits leave
 * room for a handful of people behind one NAT address retrying. Local password logins do not
 * pass here ({@link LoginThrottle} bounds them).
 *
 * <p><b>The table cannot be used to lock others out</b> (issue 20). It holds at most {@link
 * #MAX_ADDRESSES} entries, so memory is constant. It used to put every address beyond that into
 * one shared bucket: a client holding many IPv6 /64s (one /48 holds 65,536) filled the table and
 * then used up the shared bucket, and every further address was refused single sign-on for the
 * window. Now:
 * <ul>
 *   <li>addresses are grouped by network as {@link RefusalAudit#networkOf} does (IPv4 /24, IPv6
 *       /48: what one site or home usually holds). One network has at most {@link
 *       #ADDRESSES_PER_NETWORK} addresses counted one by one; its further addresses share one
 *       entry of that network. So one network takes at most {@code ADDRESSES_PER_NETWORK + 1}
 *       entries, and a flood from it runs into its own shared entry, never anyone else's;</li>
 *   <li>when the table is full, the entry used least recently is dropped (an idle one, unless
 *       every entry is in use) instead of sending the newcomer to a shared bucket. Dropping an
 *       entry forgets its count, which only ever lets a login through, never refuses one. To
 *       use that to escape its own limits a client needs more than {@code MAX_ADDRESSES /
 *       (ADDRESSES_PER_NETWORK + 1)} networks busy at once; the provider calls themselves stay
 *       bounded by {@code OidcClient}'s concurrency limit.</li>
 * </ul>
 */
final class SsoRateLimit {
  static final Duration WINDOW = Duration.ofMinutes(5);
  static final int MAX_STARTS = 40;
  static final int MAX_CALLBACKS = 20;
  static final int MAX_ADDRESSES = 10_000;
  /** Addresses of one network (IPv4 /24, IPv6 /48) counted one by one; the rest share one entry. */
  static final int ADDRESSES_PER_NETWORK = 256;

  private static final class Count {
    final String network;
    final boolean shared;
    Instant start;
    int starts;
    int callbacks;

    Count(String network, boolean shared, Instant start) {
      this.network = network;
      this.shared = shared;
      this.start = start;
    }
  }

  private final Clock clock;
  /** In access order: the least recently used entry is at the head. */
  private final Map<String, Count> counts = new LinkedHashMap<>(256, 0.75f, true);
  /** Addresses counted one by one per network (entries in {@link #counts}, shared ones not included). */
  private final Map<String, Integer> perNetwork = new HashMap<>();

  SsoRateLimit(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** Zero when {@code clientIp} may start a login now, else how long until it may. */
  synchronized Duration start(String clientIp) {
    Count c = count(clientIp);
    if (c.starts >= MAX_STARTS) {
      return retryAfter(c);
    }
    c.starts++;
    return Duration.ZERO;
  }

  /** Zero when {@code clientIp} may complete a login (and so cause a token call) now, else how long until it may. */
  synchronized Duration callback(String clientIp) {
    Count c = count(clientIp);
    if (c.callbacks >= MAX_CALLBACKS) {
      return retryAfter(c);
    }
    c.callbacks++;
    return Duration.ZERO;
  }

  /** Entries held now (at most {@link #MAX_ADDRESSES}), for tests. */
  synchronized int tracked() {
    return counts.size();
  }

  private Duration retryAfter(Count c) {
    Duration d = Duration.between(clock.instant(), c.start.plus(WINDOW));
    return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
  }

  private Count count(String clientIp) {
    Instant now = clock.instant();
    // Entries whose window ended count nothing any more: drop them from the least recently used end.
    for (Iterator<Count> it = counts.values().iterator(); it.hasNext();) {
      Count oldest = it.next();
      if (oldest.start.plus(WINDOW).isAfter(now)) {
        break;
      }
      it.remove();
      forget(oldest);
    }
    String network = RefusalAudit.networkOf(clientIp);
    String key = LoginThrottle.addressOf(clientIp);
    Count c = counts.get(key);
    if (c == null && perNetwork.getOrDefault(network, 0) >= ADDRESSES_PER_NETWORK) {
      key = "network " + network; // this network's further addresses: one entry, whatever their number
      c = counts.get(key);
    }
    if (c == null) {
      while (counts.size() >= MAX_ADDRESSES) {
        evictLeastRecentlyUsed();
      }
      boolean shared = key.startsWith("network ");
      c = new Count(network, shared, now);
      counts.put(key, c);
      if (!shared) {
        perNetwork.merge(network, 1, Integer::sum);
      }
    } else if (!c.start.plus(WINDOW).isAfter(now)) {
      c.start = now; // a new window
      c.starts = 0;
      c.callbacks = 0;
    }
    return c;
  }

  private void evictLeastRecentlyUsed() {
    Iterator<Count> it = counts.values().iterator();
    Count eldest = it.next();
    it.remove();
    forget(eldest);
  }

  private void forget(Count c) {
    if (!c.shared) {
      perNetwork.computeIfPresent(c.network, (k, n) -> n <= 1 ? null : n - 1);
    }
  }
}
