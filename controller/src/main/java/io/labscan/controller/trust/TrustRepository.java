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
   * Checks the token and, if it is good, spends one use, registers the host with the lab the
   * token assigns and records its certificate — all or nothing. A revoked host id, or one
   * that still holds a valid certificate, is refused without spending the token.
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

  /** A token as stored. */
  record TokenRecord(String tokenId, byte[] secretSha256, String lab, Instant created, Instant expires, int uses) {
    public TokenRecord {
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

  /** Why a token was (not) accepted. */
  enum Outcome {
    ACCEPTED,
    UNKNOWN_TOKEN,
    EXPIRED,
    USED_UP,
    HOST_REVOKED,
    /** The host id holds a certificate that is still valid. */
    ALREADY_ENROLLED
  }
}
