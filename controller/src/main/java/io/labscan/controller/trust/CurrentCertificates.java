package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which certificate each host holds now, so that a certificate a renewal replaced stops working
 * for every call, not only for renewing: a copy of an old key does not outlive the renewal. The
 * replaced certificate may still repeat {@code RenewCertificate} (an agent whose answer was lost).
 * Hosts without an enrolment on record (certificates not issued through enrolment) are not
 * judged. Read from the store once per host, then kept; renewals and enrolments in this process
 * call {@link #forget} after they commit.
 */
public final class CurrentCertificates implements CertificateCheck {
  private record Serials(String current, String previous) {
    static final Serials UNKNOWN = new Serials("", "");
  }

  private final TrustRepository store;
  private final Optional<KeyConflicts> conflicts;
  private final ConcurrentHashMap<String, Serials> known = new ConcurrentHashMap<>();

  public CurrentCertificates(TrustRepository store) {
    this.store = requireNonNull(store, "store");
    this.conflicts = Optional.empty();
  }

  /** @param conflicts told of every refused replaced certificate, and of every certificate change */
  public CurrentCertificates(TrustRepository store, KeyConflicts conflicts) {
    this.store = requireNonNull(store, "store");
    this.conflicts = Optional.of(requireNonNull(conflicts, "conflicts"));
  }

  @Override
  public Optional<String> refusal(String hostId, X509Certificate certificate, boolean renewal) {
    Serials serials = known.computeIfAbsent(hostId, id -> store.certificateSerials(id)
        .map(c -> new Serials(c.current(), c.previous())).orElse(Serials.UNKNOWN));
    if (serials == Serials.UNKNOWN) {
      return Optional.empty();
    }
    String serial = CertificateAuthority.serial(certificate);
    if (serial.equalsIgnoreCase(serials.current())
        || (renewal && !serials.previous().isEmpty() && serial.equalsIgnoreCase(serials.previous()))) {
      return Optional.empty();
    }
    conflicts.ifPresent(c -> c.replacedCertificateUsed(hostId, serial, renewal ? "RenewCertificate" : "a call"));
    return Optional.of("certificate " + serial + " of host " + hostId + " was replaced (renewed or enrolled again)");
  }

  /** The host's certificate changed in the store: read it again at its next call. */
  public void forget(String hostId) {
    known.remove(requireNonNull(hostId, "hostId"));
    conflicts.ifPresent(c -> c.certificateChanged(hostId));
  }
}
