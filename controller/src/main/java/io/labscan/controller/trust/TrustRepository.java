package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What the trust machinery keeps in the store: enrolment tokens (hashed), the enrolment of
 * each host, and revoked hosts. Token redemption is one write task on the store's single
 * writer, so two agents racing for the last use of a token cannot both win.
 */
public interface TrustRepository {

  /** Stores a new token. */
  CompletableFuture<Void> saveToken(TokenRecord token);

  /**
   * Reads the token without changing anything: whether it exists with this secret hash, has not
   * expired and has uses left, and the host it is bound to. The enrolment port asks this before
   * it verifies a request or signs anything, so a caller without a good token costs one indexed
   * read. {@link #redeem} checks again, atomically, when the token is spent.
   */
  TokenCheck checkToken(String tokenId, byte[] secretSha256, Instant at);

  /**
   * Whether the controller knows this host id in any form: a host row (reports, imports), an
   * enrolment, a revocation, a verdict, a role or an address owner. A token that is not bound to a
   * host never enrols such an id.
   */
  boolean hostKnown(String hostId);

  /**
   * Checks the token and, if it is good, spends one use, registers the host with the lab the
   * token assigns and records its certificate — all or nothing. A revoked host id is refused
   * without spending the token; so is, for a token bound to no host, a host id the controller
   * knows in any form ({@link #hostKnown}), and, for a token bound to a host, any other host id.
   */
  CompletableFuture<Redemption> redeem(String tokenId, byte[] secretSha256, EnrolledHost host, Instant at);

  /**
   * Records a renewal, deciding in the same write whether it is allowed: the presented
   * certificate must be the host's current one, or the one the last renewal replaced when the
   * request is for the same new key (a retry after a lost answer). The host must be enrolled
   * and not revoked.
   */
  CompletableFuture<RenewalOutcome> renew(Renewal renewal, Instant at);

  /** Marks a host revoked; false when it already was. */
  CompletableFuture<Boolean> revoke(String hostId, String reason, Instant at);

  /** Every revoked host id. */
  Set<String> revokedHosts();

  /**
   * A token as stored.
   *
   * @param hostId the one host this token re-enrols ({@code enroll-token --host}), or "" for a
   *     token that enrols new hosts only
   */
  record TokenRecord(String tokenId, byte[] secretSha256, String lab, Instant created, Instant expires, int uses,
      String hostId) {
    public TokenRecord(String tokenId, byte[] secretSha256, String lab, Instant created, Instant expires, int uses) {
      this(tokenId, secretSha256, lab, created, expires, uses, "");
    }

    public TokenRecord {
      requireNonNull(hostId, "hostId");
      if (!hostId.isEmpty() && uses != 1) {
        throw new IllegalArgumentException("a token bound to a host is good for one use");
      }
      requireNonNull(tokenId, "tokenId");
      requireNonNull(secretSha256, "secretSha256");
      requireNonNull(lab, "lab");
      requireNonNull(created, "created");
      requireNonNull(expires, "expires");
      if (uses < 1) {
        throw new IllegalArgumentException("a token needs at least one use");
      }
      secretSha256 = secretSha256.clone();
    }

    @Override
    public byte[] secretSha256() {
      return secretSha256.clone();
    }
  }

  /** The host an accepted token enrols, and the certificate it gets. */
  record EnrolledHost(String hostId, String hostname, String certificateSerial, Instant certificateNotAfter) {
    public EnrolledHost {
      requireNonNull(hostId, "hostId");
      requireNonNull(hostname, "hostname");
      requireNonNull(certificateSerial, "certificateSerial");
      requireNonNull(certificateNotAfter, "certificateNotAfter");
    }
  }

  /**
   * A certificate renewal to record.
   *
   * @param presentedSerial serial (hex) of the certificate the agent presented
   * @param newKeyFingerprint {@code Fingerprints.sha256} of the new public key (encoded)
   * @param newSerial serial (hex) of the certificate issued for it
   */
  record Renewal(String hostId, String presentedSerial, String newKeyFingerprint, String newSerial,
      Instant newNotAfter) {
    public Renewal {
      requireNonNull(hostId, "hostId");
      requireNonNull(presentedSerial, "presentedSerial");
      requireNonNull(newKeyFingerprint, "newKeyFingerprint");
      requireNonNull(newSerial, "newSerial");
      requireNonNull(newNotAfter, "newNotAfter");
    }
  }

  /** Whether a renewal was recorded. */
  enum RenewalOutcome {
    /** The presented certificate was the current one; the new one replaces it. */
    RENEWED,
    /** The presented certificate was replaced by a renewal for this same key: issued again. */
    REISSUED,
    /** No enrolment on record for the host. */
    NOT_ENROLLED,
    REVOKED,
    /** The presented certificate was replaced by a renewal for another key. */
    REPLACED
  }

  /** The answer to a redemption. */
  record Redemption(Outcome outcome, String lab) {
    public Redemption {
      requireNonNull(outcome, "outcome");
      requireNonNull(lab, "lab");
    }

    public static Redemption refused(Outcome outcome) {
      return new Redemption(outcome, "");
    }
  }

  /**
   * What {@link #checkToken} found.
   *
   * @param outcome ACCEPTED, UNKNOWN_TOKEN, EXPIRED or USED_UP
   * @param boundHostId the host a bound token re-enrols, or ""
   */
  record TokenCheck(Outcome outcome, String boundHostId) {
    public TokenCheck {
      requireNonNull(outcome, "outcome");
      requireNonNull(boundHostId, "boundHostId");
    }

    public boolean bound() {
      return !boundHostId.isEmpty();
    }
  }

  /** Why a token was (not) accepted. */
  enum Outcome {
    ACCEPTED,
    UNKNOWN_TOKEN,
    EXPIRED,
    USED_UP,
    HOST_REVOKED,
    /** The host id holds a certificate that is still valid. */
    ALREADY_ENROLLED,
    /** The host id is known to the controller (reports, an import, an ended certificate, ...). */
    HOST_EXISTS,
    /** The token is bound to another host. */
    WRONG_HOST
  }

  /** A host's current certificate serial and the one it replaced (empty when none), lower-case hex. */
  record CertificateSerials(String current, String previous) {}

  /** The serials of the host's stored certificate; empty for a host without one. */
  java.util.Optional<CertificateSerials> certificateSerials(String hostId);

  /** The agent certificate on record for a host: its serial, when it ends, when it was last renewed. */
  record CertificateRecord(String serial, java.time.Instant notAfter, java.util.Optional<java.time.Instant> renewed,
      String previousSerial) {
    public CertificateRecord {
      java.util.Objects.requireNonNull(serial, "serial");
      java.util.Objects.requireNonNull(notAfter, "notAfter");
      java.util.Objects.requireNonNull(renewed, "renewed");
      java.util.Objects.requireNonNull(previousSerial, "previousSerial");
    }
  }

  /** The host's agent certificate as enrolment or the last renewal recorded it; empty on plaintext setups. */
  java.util.Optional<CertificateRecord> certificate(String hostId);

  /**
   * Whether the host id is enrolled: a certificate of the controller CA names it (valid or
   * ended) or it was revoked. A report file cannot speak for such a host without an admin's word.
   */
  boolean enrolled(String hostId);
}
