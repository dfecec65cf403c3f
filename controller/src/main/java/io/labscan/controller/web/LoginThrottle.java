package io.labscan.controller.web;

import io.labscan.controller.fleet.Cidr;
import io.labscan.controller.account.Accounts;
import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing without letting an anonymous client lock a real user out.
 *
 * <p>Failures are counted per <em>(user name, client address)</em>: {@link #MAX_FAILURES} wrong
 * passwords are free, every further one locks that pair for a window that doubles each time
 * ({@link #FIRST_LOCKOUT}, 2×, 4×, … up to {@link #MAX_LOCKOUT}). The same user logging in from
 * another address is not affected, so guessing from one machine never locks the owner out of
 * theirs. One address is also limited across every user name it tries
 * ({@link #MAX_ADDRESS_FAILURES} failures within {@link #WINDOW}), which stops spraying one
 * password over many names. Failures are forgotten {@link #WINDOW} after the last one, and a
 * successful login clears its pair.
 *
 * <p>Checking and counting are atomic: {@link #acquire} reserves the pair for the one password
 * check in flight, so concurrent guesses cannot all slip past the count while the (slow,
 * deliberately) password hash is computed; a second concurrent attempt for the same pair, or a
 * fifth concurrent one from the same address, is refused at once. Every {@link #acquire} that
 * answers zero must be followed by {@link #failed} or {@link #succeeded}.
 */
public final class LoginThrottle {
  /** Wrong passwords per (user, address) before the first lockout. */
  public static final int MAX_FAILURES = 5;
  /** Failures are forgotten this long after the last one. */
  public static final Duration WINDOW = Duration.ofMinutes(15);
  public static final Duration FIRST_LOCKOUT = Duration.ofMinutes(1);
  public static final Duration MAX_LOCKOUT = Duration.ofHours(1);
  /** Wrong passwords from one address, over all user names, before that address is locked. */
  public static final int MAX_ADDRESS_FAILURES = 30;
  /** Password checks one address may have in flight at once. */
  public static final int MAX_ADDRESS_IN_FLIGHT = 4;
  /** A refusal because another attempt is being checked right now: try again in a second. */
  static final Duration BUSY = Duration.ofSeconds(1);
  private static final int MAX_KEYS = 50_000;

  private final Clock clock;
  private final Map<String, State> states = new ConcurrentHashMap<>();

  public LoginThrottle(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
  }

  /** Failures, lockout and checks in flight of one key (a pair or an address). */
  private static final class State {
    int failures;
    Instant lastFailure = Instant.MIN;
    Instant lockedUntil = Instant.MIN;
    int inFlight;

    void forgetIfOld(Instant now) {
      if (failures > 0 && !lastFailure.plus(WINDOW).isAfter(now) && !lockedUntil.isAfter(now)) {
        failures = 0;
      }
    }

    boolean idle(Instant now) {
      forgetIfOld(now);
      return failures == 0 && inFlight == 0 && !lockedUntil.isAfter(now);
    }
  }

  /**
   * How long the caller must wait before trying this user from this address; zero when it may
   * try now. A query only: it reserves nothing (use {@link #acquire} before checking a password).
   */
  public Duration retryAfter(String clientIp, String username) {
    Instant now = clock.instant();
    State pair = states.get(pairKey(clientIp, username));
    State address = states.get(addressKey(clientIp));
    return longer(lockWait(pair, now), lockWait(address, now));
  }

  /**
   * Reserves the one password check of this (user, address): zero when the caller may check
   * the password now (and must then report {@link #failed} or {@link #succeeded}); otherwise
   * how long to wait.
   */
  public Duration acquire(String clientIp, String username) {
    Instant now = clock.instant();
    prune(now);
    State address = states.computeIfAbsent(addressKey(clientIp), k -> new State());
    // A locked-out or busy address creates no pair entry: it cannot fill the map with names.
    synchronized (address) {
      Duration wait = lockWait(address, now);
      if (!wait.isZero()) {
        return wait;
      }
      if (address.inFlight >= MAX_ADDRESS_IN_FLIGHT) {
        return BUSY;
      }
    }
    State pair = states.computeIfAbsent(pairKey(clientIp, username), k -> new State());
    // One lock for the pair and its address: both are decided together, so two concurrent
    // attempts cannot both see room. Contention is per client address only.
    synchronized (address) {
      synchronized (pair) {
        Duration wait = longer(lockWait(pair, now), lockWait(address, now));
        if (!wait.isZero()) {
          return wait;
        }
        if (pair.inFlight > 0 || address.inFlight >= MAX_ADDRESS_IN_FLIGHT) {
          return BUSY;
        }
        pair.inFlight++;
        address.inFlight++;
        return Duration.ZERO;
      }
    }
  }

  /** A wrong password for {@code username} from {@code clientIp}. */
  public void failed(String clientIp, String username) {
    Instant now = clock.instant();
    prune(now);
    State pair = states.computeIfAbsent(pairKey(clientIp, username), k -> new State());
    State address = states.computeIfAbsent(addressKey(clientIp), k -> new State());
    synchronized (address) {
      synchronized (pair) {
        release(pair);
        release(address);
        pair.forgetIfOld(now);
        address.forgetIfOld(now);
        pair.failures++;
        pair.lastFailure = now;
        address.failures++;
        address.lastFailure = now;
        if (pair.failures >= MAX_FAILURES) {
          pair.lockedUntil = now.plus(lockout(pair.failures - MAX_FAILURES));
        }
        if (address.failures >= MAX_ADDRESS_FAILURES) {
          address.lockedUntil = now.plus(lockout(address.failures - MAX_ADDRESS_FAILURES));
        }
      }
    }
  }

  /** A right password: the pair's failures are cleared (the address's count stays). */
  public void succeeded(String clientIp, String username) {
    State address = states.get(addressKey(clientIp));
    if (address != null) {
      synchronized (address) {
        release(address);
      }
    }
    states.remove(pairKey(clientIp, username));
  }

  /** How many keys the throttle holds (pairs and addresses), for tests. */
  int size() {
    return states.size();
  }

  /** The lockout after {@code extra} failures beyond the free ones: doubling, capped. */
  static Duration lockout(int extra) {
    if (extra >= 20) {
      return MAX_LOCKOUT;
    }
    Duration d = FIRST_LOCKOUT.multipliedBy(1L << extra);
    return d.compareTo(MAX_LOCKOUT) > 0 ? MAX_LOCKOUT : d;
  }

  private static void release(State s) {
    if (s.inFlight > 0) {
      s.inFlight--;
    }
  }

  private static Duration lockWait(State s, Instant now) {
    if (s == null) {
      return Duration.ZERO;
    }
    synchronized (s) {
      return s.lockedUntil.isAfter(now) ? Duration.between(now, s.lockedUntil) : Duration.ZERO;
    }
  }

  private static Duration longer(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private void prune(Instant now) {
    if (states.size() >= MAX_KEYS) {
      states.entrySet().removeIf(e -> {
        synchronized (e.getValue()) {
          return e.getValue().idle(now);
        }
      });
    }
  }

  /** The one key every name that breaks the accounts' user-name rule shares (no account has one). */
  static final String INVALID_USER = "\u0000invalid";

  private static String pairKey(String clientIp, String username) {
    return "pair:" + addressOf(clientIp) + "\u0000" + normalise(username);
  }

  private static String addressKey(String clientIp) {
    return "ip:" + addressOf(clientIp);
  }

  /**
   * The address a client is counted under: an IPv6 address by its /64 (one host usually
   * holds a whole /64 and can pick any address in it), anything else as it is.
   */
  static String addressOf(String clientIp) {
    if (clientIp == null) {
      return "";
    }
    return Cidr.literal(clientIp).filter(b -> b.length == 16).map(b -> {
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        prefix.append(String.format(Locale.ROOT, "%02x%02x:", b[i] & 0xff, b[i + 1] & 0xff));
      }
      return prefix.append(":/64").toString();
    }).orElse(clientIp);
  }

  /**
   * A user name as a key: names that break {@link Accounts#USERNAME} (up to kilobytes of them)
   * all map to {@link #INVALID_USER}, so they cannot make one entry each.
   */
  private static String normalise(String username) {
    if (username == null || !Accounts.USERNAME.matcher(username).matches()) {
      return INVALID_USER;
    }
    return username.toLowerCase(Locale.ROOT);
  }
}
