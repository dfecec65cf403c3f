package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects two keys speaking for one host: someone copied the agent's key (and certificate) and
 * is using it beside the real agent.
 *
 * <p>With one agent per host, the controller sees one certificate line: after a renewal (or an
 * admin's re-enrolment) the replaced certificate falls silent within moments — the agent moves
 * to its new certificate as soon as it has installed it. So the signs of a second key are:
 * <ul>
 *   <li>a <b>replaced certificate asking to renew for another key</b> — whoever renewed first
 *       locked the other holder out; if the copy renewed first, this is the real agent failing;
 *   <li>a <b>replaced certificate still calling</b> more than {@link #GRACE} after the host's
 *       certificate changed (calls in flight while the real agent switches channels fall inside
 *       the grace and are not alerted).
 * </ul>
 * Either raises one alert per host per {@link #QUIET} (a copy retrying every few seconds must
 * not flood the alert channels), logged as an error and told to every {@link Listener} (the
 * alert dispatcher). The controller cannot tell which holder is the real agent — both present
 * the same certificate line — so the alert says what to do: revoke the host (both stop at once;
 * the machine enrols again as a new host) or re-enrol the real machine with
 * {@code enroll-token --host ID} (its new certificate replaces every other one). A copy of the
 * <em>current</em> key used from the same certificate is indistinguishable from the agent until
 * one of them renews: then this class sees it.
 */
public final class KeyConflicts {
  private static final Logger log = LoggerFactory.getLogger(KeyConflicts.class);
  /** How long after a certificate change calls with the replaced certificate are taken as in flight. */
  public static final Duration GRACE = Duration.ofMinutes(10);
  /** At most one alert per host in this time. */
  public static final Duration QUIET = Duration.ofHours(1);

  /** Told when a host shows two keys. */
  @FunctionalInterface
  public interface Listener {
    /** @param detail what was seen, for people (serials, times; no endpoint text) */
    void twoKeys(String hostId, String detail, Instant at);
  }

  private final Clock clock;
  private final Function<String, Optional<Instant>> lastChangeOnRecord;
  private final ConcurrentHashMap<String, Instant> changed = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Instant> alerted = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /**
   * @param lastChangeOnRecord when the host's certificate last changed as the store records it (its
   *     last renewal), for changes made before this process started
   */
  public KeyConflicts(Clock clock, Function<String, Optional<Instant>> lastChangeOnRecord) {
    this.clock = requireNonNull(clock, "clock");
    this.lastChangeOnRecord = requireNonNull(lastChangeOnRecord, "lastChangeOnRecord");
  }

  public void addListener(Listener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /** The host's certificate changed (a renewal or an enrolment committed) just now. */
  public void certificateChanged(String hostId) {
    changed.put(requireNonNull(hostId, "hostId"), clock.instant());
  }

  /** A call presented a certificate of the host that was replaced; it was refused. */
  public void replacedCertificateUsed(String hostId, String serial, String method) {
    requireNonNull(hostId, "hostId");
    Instant now = clock.instant();
    Optional<Instant> since = Optional.ofNullable(changed.get(hostId)).or(() -> lastChangeOnRecord.apply(hostId));
    if (since.isPresent() && Duration.between(since.get(), now).compareTo(GRACE) < 0) {
      return; // the real agent's calls in flight while it moves to its new certificate
    }
    raise(hostId, "certificate " + serial + " was replaced" + since.map(t -> " at " + t).orElse("")
        + " but is still in use (" + method + "): another copy of this host's key is calling", now);
  }

  /** A replaced certificate asked to renew for another key; it was refused. */
  public void replacedCertificateRenewed(String hostId, String serial) {
    requireNonNull(hostId, "hostId");
    raise(hostId, "certificate " + serial + " asked to renew for a new key after another holder of the same "
        + "certificate had already renewed it: two holders of this host's key", clock.instant());
  }

  private void raise(String hostId, String detail, Instant now) {
    Instant last = alerted.get(hostId);
    if (last != null && Duration.between(last, now).compareTo(QUIET) < 0) {
      return;
    }
    alerted.put(hostId, now);
    log.error("Two keys for host {}: {}. One of them is a copy. Recover: 'labscan-controller revoke {}' (both stop "
        + "now; the machine enrols again as a new host), or give the real machine a token from "
        + "'labscan-controller enroll-token --host {}' and run 'labscan-agent enroll --force' there (its new "
        + "certificate replaces every other one).", hostId, detail, hostId, hostId);
    for (Listener listener : listeners) {
      try {
        listener.twoKeys(hostId, detail, now);
      } catch (RuntimeException e) {
        log.warn("Two-keys alert for host {} not delivered: {}", hostId, e.getMessage());
      }
    }
  }
}
