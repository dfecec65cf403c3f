package io.labscan.controller.web;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which refused anonymous single sign-on callbacks go to the audit log, which cannot be
 * edited or deleted: anyone can send {@code GET /login/oidc/callback?error=x} as fast as they
 * like, and one entry each would let them grow the log without bound and drown the entries that
 * matter.
 *
 * <p>Rule: per client address (an IPv6 address by its /64, as {@link LoginThrottle} counts it),
 * the first {@link #PER_ADDRESS} refusals of a {@link #WINDOW} are recorded one by one; the rest
 * are counted, and when the window is over one summary entry says how many were suppressed
 * ("N more refused single sign-on callbacks from ADDRESS suppressed"), written by a background
 * job within {@link #FLUSH_EVERY} of the window's end ({@link #flush}) or with the next refusal,
 * whichever comes first. All addresses together
 * record at most {@link #PER_WINDOW} single entries per window, and at most {@link
 * #MAX_ADDRESSES} addresses are tracked (beyond that they share one bucket, {@code "*"}), so the
 * log grows by at most about {@code PER_WINDOW + MAX_ADDRESSES + 1} entries per window whatever
 * the traffic. The decision is made before anything is written, and costs constant memory.
 *
 * <p>Issue 18: that global budget alone could be used up by 100 addresses, after which every
 * other address's refusals (a forged ID token, say) became only a count. So the first refusal of
 * an address (or network bucket) not yet seen in the window is always recorded, whatever the
 * budget; one network (IPv4 /24, IPv6 /48) records at most {@link #PER_NETWORK} beyond its
 * addresses' first ones, and tracks at most {@link #ADDRESSES_PER_NETWORK} addresses one by one
 * (the rest share the network's entry), so one site cannot fill the table either. The total
 * stays bounded: at most {@code PER_WINDOW + MAX_ADDRESSES + 1} single entries per window.
 */
final class RefusalAudit {
  static final int PER_ADDRESS = 10;
  static final int PER_WINDOW = 1_000;
  static final int MAX_ADDRESSES = 1_000;
  /** Refusals recorded per network (IPv4 /24, IPv6 /48) and window, beyond each address's first. */
  static final int PER_NETWORK = 30;
  /** Addresses of one network tracked one by one; its further addresses share the network's entry. */
  static final int ADDRESSES_PER_NETWORK = 16;
  static final Duration WINDOW = Duration.ofMinutes(15);
  /** The bucket of addresses beyond {@link #MAX_ADDRESSES}. */
  static final String OTHERS = "*";

  /** Refusals of one address that were counted and not recorded. */
  record Suppressed(String address, int count, Instant since) {}

  /** Whether to record this refusal, and the summaries of ended windows to record now. */
  record Decision(boolean record, List<Suppressed> summaries) {}

  private static final class Window {
    final Instant start;
    int recorded;
    int suppressed;
    /** For a network: its addresses tracked one by one in this window. */
    int addresses;

    Window(Instant start) {
      this.start = start;
    }
  }

  private final Clock clock;
  /** In the order the windows started, so ended ones are at the head. */
  private final Map<String, Window> windows = new LinkedHashMap<>();
  /** Per network ({@link #networkOf}), at most {@link #MAX_ADDRESSES} (+1 shared). */
  private final Map<String, Window> networks = new LinkedHashMap<>();
  private Instant globalStart = Instant.MIN;
  private int globalRecorded;

  RefusalAudit(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** One refused callback from {@code clientIp}. */
  synchronized Decision refused(String clientIp) {
    return decide(LoginThrottle.addressOf(clientIp), networkOf(clientIp));
  }

  /**
   * The network a client address belongs to for {@link #PER_NETWORK}: IPv4 by its /24, IPv6 by
   * its /48 (a home or site usually holds a whole /48, 65,536 /64s); anything else as it is.
   */
  static String networkOf(String clientIp) {
    if (clientIp == null) {
      return "";
    }
    return io.labscan.controller.fleet.Cidr.literal(clientIp).map(b -> {
      if (b.length == 4) {
        return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
      }
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 6; i += 2) {
        prefix.append(String.format(java.util.Locale.ROOT, "%02x%02x:", b[i] & 0xff, b[i + 1] & 0xff));
      }
      return prefix.append(":/48").toString();
    }).orElse(clientIp);
  }

  /**
   * One refused login of the provider's user {@code subject} (its {@code sub}): used with a
   * second instance so one campus account refused over and over, from however many addresses,
   * records a bounded number of entries too.
   */
  synchronized Decision refusedSubject(String subject) {
    String s = subject.length() > 200 ? subject.substring(0, 200) : subject;
    return decide("sub " + s, "sub " + s);
  }

  /**
   * The summaries of the windows that ended (each once), without a refusal: called by the
   * background job {@code serve} registers ({@link #FLUSH_EVERY}), so a summary is written when
   * its window ends, not only with the next refusal, which may never come (issue 20).
   */
  synchronized List<Suppressed> flush() {
    return ended(clock.instant());
  }

  /** How often {@code serve} writes the summaries of ended windows. */
  static final Duration FLUSH_EVERY = Duration.ofMinutes(1);

  private List<Suppressed> ended(Instant now) {
    List<Suppressed> summaries = new ArrayList<>();
    for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext();) {
      Map.Entry<String, Window> e = it.next();
      if (e.getValue().start.plus(WINDOW).isAfter(now)) {
        break;
      }
      if (e.getValue().suppressed > 0) {
        summaries.add(new Suppressed(e.getKey(), e.getValue().suppressed, e.getValue().start));
      }
      it.remove();
    }
    return summaries;
  }

  private Decision decide(String address, String network) {
    Instant now = clock.instant();
    List<Suppressed> summaries = ended(now);
    networks.values().removeIf(n -> !n.start.plus(WINDOW).isAfter(now));
    if (!globalStart.plus(WINDOW).isAfter(now)) {
      globalStart = now;
      globalRecorded = 0;
    }
    Window n = networks.get(network);
    if (n == null) {
      n = networks.size() >= MAX_ADDRESSES ? networks.computeIfAbsent(OTHERS, k -> new Window(now))
          : networks.computeIfAbsent(network, k -> new Window(now));
    }
    String key = address;
    if (!windows.containsKey(key)) {
      if (n.addresses >= ADDRESSES_PER_NETWORK) {
        key = network; // one network's further addresses share one entry: it cannot fill the table
      }
      if (!windows.containsKey(key) && windows.size() >= MAX_ADDRESSES) {
        key = OTHERS;
      }
    }
    boolean firstSeen = !windows.containsKey(key) && !key.equals(OTHERS);
    if (firstSeen && !key.equals(network)) {
      n.addresses++;
    }
    Window w = windows.computeIfAbsent(key, k -> new Window(now));
    boolean record = firstSeen
        || (w.recorded < PER_ADDRESS && n.recorded < PER_NETWORK && globalRecorded < PER_WINDOW);
    if (record) {
      w.recorded++;
      n.recorded++;
      globalRecorded++;
    } else {
      w.suppressed++;
    }
    return new Decision(record, summaries);
  }

  /** Addresses tracked now, for tests. */
  synchronized int tracked() {
    return windows.size();
  }
}
