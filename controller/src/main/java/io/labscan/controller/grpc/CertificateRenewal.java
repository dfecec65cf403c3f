package io.labscan.controller.grpc;

import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.controller.trust.CurrentCertificates;
import io.labscan.controller.trust.KeyConflicts;
import io.labscan.controller.trust.SigningRequests;
import io.labscan.controller.trust.TrustRepository;
import static java.util.Objects.requireNonNull;

import io.labscan.controller.text.LogText;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.labscan.contract.trust.Fingerprints;
import io.labscan.controller.trust.TrustRepository.Renewal;
import io.labscan.controller.trust.TrustRepository.RenewalOutcome;
import io.labscan.proto.v1.RenewCertificateResponse;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews agent certificates on the agent (mTLS) port, so that a fleet does not fall off the
 * controller a year after enrolment. The agent proves who it is with its current certificate
 * (the TLS handshake) and that it holds its new key (the request's signature); the new
 * certificate is for the same host id, with the usual client validity.
 *
 * <p>Only inside the renewal window ({@link #WINDOW} before the presented certificate ends)
 * and only for the host's current certificate: once renewed, the old certificate cannot renew
 * again for any other key, so a copy of an old key cannot outlive a renewal. A repeat of the
 * same request (same new key) by the replaced certificate is answered again: that is an agent
 * whose answer was lost on the way. Revoked hosts are refused by the port before this runs.
 */
public final class CertificateRenewal implements CertificateRenewer {
  private static final Logger log = LoggerFactory.getLogger(CertificateRenewal.class);

  /** How long before its end a certificate may be renewed. Agents ask from 30 days before. */
  public static final Duration WINDOW = Duration.ofDays(60);

  /** Per host: an agent asks once, again after a lost answer, and hourly on failure; six at once, then one per 10 min. */
  public static final RateLimiter.Rate RATE = new RateLimiter.Rate(1.0 / 600, 6);

  private final CertificateAuthority ca;
  private final TrustRepository store;
  private final Clock clock;
  private final RateLimiter limiter = new RateLimiter(RATE);
  private final Consumer<String> changed;
  private final BiConsumer<String, String> replacedRenewed;

  public CertificateRenewal(CertificateAuthority ca, TrustRepository store, Clock clock) {
    this(ca, store, clock, hostId -> { });
  }

  /** @param changed told the host id after a renewal is committed (e.g. {@link CurrentCertificates#forget}) */
  public CertificateRenewal(CertificateAuthority ca, TrustRepository store, Clock clock,
      Consumer<String> changed) {
    this(ca, store, clock, changed, (hostId, serial) -> { });
  }

  /**
   * @param replacedRenewed told the host id and presented serial when a replaced certificate asked
   *     to renew for another key (two holders of one key: {@link KeyConflicts#replacedCertificateRenewed})
   */
  public CertificateRenewal(CertificateAuthority ca, TrustRepository store, Clock clock,
      Consumer<String> changed, BiConsumer<String, String> replacedRenewed) {
    this.replacedRenewed = requireNonNull(replacedRenewed, "replacedRenewed");
    this.ca = requireNonNull(ca, "ca");
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.changed = requireNonNull(changed, "changed");
  }

  @Override
  public void renew(String hostId, X509Certificate presented, byte[] csrDer,
      StreamObserver<RenewCertificateResponse> response) {
    requireNonNull(hostId, "hostId");
    requireNonNull(presented, "presented");
    requireNonNull(csrDer, "csrDer");
    requireNonNull(response, "response");
    if (!limiter.tryAcquire(hostId)) {
      log.warn("Certificate renewal for host {} refused: over the rate limit of {}.", hostId, RATE);
      response.onError(Status.RESOURCE_EXHAUSTED.withDescription("certificate renewal rate limit (" + RATE
          + ") exceeded; retry later").asRuntimeException());
      return;
    }
    Instant now = clock.instant();
    String presentedSerial = CertificateAuthority.serial(presented);
    Instant opens = presented.getNotAfter().toInstant().minus(WINDOW);
    if (now.isBefore(opens)) {
      response.onError(Status.FAILED_PRECONDITION.withDescription("certificate " + presentedSerial
          + " is valid until " + presented.getNotAfter().toInstant() + "; it can be renewed from " + opens)
          .asRuntimeException());
      return;
    }
    PublicKey key;
    try {
      key = SigningRequests.verify(csrDer, hostId);
    } catch (SigningRequests.InvalidRequest e) {
      log.warn("Certificate renewal for host {} refused: {}", hostId, LogText.of(e.getMessage()));
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    X509Certificate issued = ca.issueClient(key, hostId);
    Renewal renewal = new Renewal(hostId, presentedSerial, Fingerprints.sha256(key.getEncoded()), CertificateAuthority.serial(issued),
        issued.getNotAfter().toInstant());
    store.renew(renewal, now).whenComplete((outcome, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        log.error("Certificate renewal for host {} failed in the store: {}", hostId, cause.getMessage());
        response.onError(Status.UNAVAILABLE.withDescription("controller cannot store right now")
            .asRuntimeException());
        return;
      }
      if (outcome == RenewalOutcome.RENEWED || outcome == RenewalOutcome.REISSUED) {
        changed.accept(hostId);
      } else if (outcome == RenewalOutcome.REPLACED) {
        replacedRenewed.accept(hostId, presentedSerial);
      }
      answer(outcome, renewal, issued, response);
    });
  }

  private void answer(RenewalOutcome outcome, Renewal renewal, X509Certificate issued,
      StreamObserver<RenewCertificateResponse> response) {
    String hostId = renewal.hostId();
    Status refusal = switch (outcome) {
      case RENEWED, REISSUED -> null;
      case NOT_ENROLLED -> Status.PERMISSION_DENIED.withDescription("host " + hostId
          + " has no enrolment on record; enrol it with a token");
      case REVOKED -> Status.PERMISSION_DENIED.withDescription("host " + hostId + " was revoked");
      case REPLACED -> Status.PERMISSION_DENIED.withDescription("certificate " + renewal.presentedSerial()
          + " of host " + hostId + " was already replaced by a renewal for another key; a replaced certificate "
          + "cannot renew (delete the agent's state folder and enrol it as a new host)");
    };
    if (refusal != null) {
      log.warn("Certificate renewal for host {} (certificate {}) refused: {}", hostId, renewal.presentedSerial(),
          refusal.getDescription());
      response.onError(refusal.asRuntimeException());
      return;
    }
    try {
      response.onNext(RenewCertificateResponse.newBuilder()
          .setCertificateDer(ByteString.copyFrom(issued.getEncoded()))
          .addCaChainDer(ByteString.copyFrom(ca.certificate().getEncoded()))
          .build());
      response.onCompleted();
      log.info("{} the certificate of host {}: {} replaces {}, valid until {}.",
          outcome == RenewalOutcome.RENEWED ? "Renewed" : "Issued again (repeated request)", hostId,
          renewal.newSerial(), renewal.presentedSerial(), renewal.newNotAfter());
    } catch (CertificateEncodingException e) {
      response.onError(Status.INTERNAL.withDescription("cannot encode the certificate").asRuntimeException());
    }
  }
}
