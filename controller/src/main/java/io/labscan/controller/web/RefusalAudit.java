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
 * ("N more refused single sign-on callbacks from ADDRESS suppressed"). All addresses together
 * record at most {@link #PER_WINDOW} single entries per window, and at most {@link
 * #MAX_ADDRESSES} addresses are tracked (beyond that they share one bucket, {@code "*"}), so the
 * log grows by at most about {@code PER_WINDOW + MAX_ADDRESSES + 1} entries per window whatever
 * the traffic. The decision is made before anything is written, and costs constant memory.
 */
final class RefusalAudit {
  static final int PER_ADDRESS = 10;
  static final int PER_WINDOW = 1_000;
  static final int MAX_ADDRESSES = 1_000;
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

    Window(Instant start) {
      this.start = start;
    }
  }

  private final Clock clock;
  /** In the order the windows started, so ended ones are at the head. */
  private final Map<String, Window> windows = new LinkedHashMap<>();
  private Instant globalStart = Instant.MIN;
  private int globalRecorded;

  RefusalAudit(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** One refused callback from {@code clientIp}. */
  synchronized Decision refused(String clientIp) {
    return decide(LoginThrottle.addressOf(clientIp));
  }

  /**
   * One refused login of the provider's user {@code subject} (its {@code sub}): used with a
   * second instance so one campus account refused over and over, from however many addresses,
   * records a bounded number of entries too.
   */
  synchronized Decision refusedSubject(String subject) {
    String s = subject.length() > 200 ? subject.substring(0, 200) : subject;
    return decide("sub " + s);
  }

  private Decision decide(String address) {
    Instant now = clock.instant();
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
    if (!globalStart.plus(WINDOW).isAfter(now)) {
      globalStart = now;
      globalRecorded = 0;
    }
    String key = address;
    if (!windows.containsKey(key) && windows.size() >= MAX_ADDRESSES) {
      key = OTHERS;
    }
    Window w = windows.computeIfAbsent(key, k -> new Window(now));
    boolean record = w.recorded < PER_ADDRESS && globalRecorded < PER_WINDOW;
    if (record) {
      w.recorded++;
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
