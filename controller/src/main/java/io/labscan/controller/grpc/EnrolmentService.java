package io.labscan.controller.grpc;

import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.controller.trust.HostIds;
import io.labscan.controller.trust.SigningRequests;
import io.labscan.controller.trust.TrustRepository;
import static java.util.Objects.requireNonNull;

import io.labscan.controller.text.LogText;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.ingest.ReportValidator;
import io.labscan.controller.trust.TrustRepository.EnrolledHost;
import io.labscan.controller.trust.TrustRepository.Redemption;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.EnrollResponse;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.concurrent.CompletionException;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enrolment port's only RPC: Enroll with a token and a certificate signing request.
 * Every other AgentService method answers UNIMPLEMENTED here; they live on the mTLS port.
 *
 * <p>Order of work, cheapest first, so an anonymous caller without a good token costs one
 * indexed read: the request's fields, the token's format, then the token itself in the store
 * (exists with this secret hash, not expired, uses left), then which host id the enrolment gets,
 * then the certificate request's signature, and only then a signature by the CA. The token check,
 * the spending of one use and the host's registration are finally one atomic store write (which
 * checks everything again: two agents racing for the last use cannot both win), so a malformed
 * request does not use up a token. Refusals say why ("token expired", "token used up",
 * "unknown token") and are logged with the token id, never the secret.
 *
 * <p><b>A token never speaks for an existing host.</b> A token that is not bound to a host
 * enrols a host id the controller has never seen in any form ({@link TrustRepository#hostKnown}:
 * no reports, imports, certificate — valid or ended —, revocation or verdict). When the agent asks
 * for a known id, an agent that says it adopts an assigned id
 * ({@code accepts_assigned_host_id}) gets a fresh random one; an older agent is refused
 * ({@code ALREADY_EXISTS}). Otherwise a token holder could enrol as a host that was imported,
 * reported in plaintext or whose certificate ended, and report for it. Re-enrolling a known host
 * (a reinstalled machine keeping its history) takes a single-use token an admin bound to exactly
 * that host ({@code enroll-token --host ID}): it enrols that id whatever the agent asked for (the
 * agent adopts it), replacing the host's certificate, and nothing else.
 */
public final class EnrolmentService extends AgentServiceGrpc.AgentServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(EnrolmentService.class);

  private final CertificateAuthority ca;
  private final TrustRepository store;
  private final PolicyProvider policies;
  private final Clock clock;
  private final Consumer<String> enrolled;

  public EnrolmentService(CertificateAuthority ca, TrustRepository store, PolicyProvider policies, Clock clock) {
    this(ca, store, policies, clock, hostId -> { });
  }

  /** @param enrolled told the host id after an enrolment is committed (its certificate changed) */
  public EnrolmentService(CertificateAuthority ca, TrustRepository store, PolicyProvider policies, Clock clock,
      Consumer<String> enrolled) {
    this.ca = requireNonNull(ca, "ca");
    this.store = requireNonNull(store, "store");
    this.policies = requireNonNull(policies, "policies");
    this.clock = requireNonNull(clock, "clock");
    this.enrolled = requireNonNull(enrolled, "enrolled");
  }

  @Override
  public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
    String requested = request.getHostId();
    if (!HostIds.valid(requested)) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("host_id: not a lower-case UUID").asRuntimeException());
      return;
    }
    String hostname = request.getHostname();
    if (hostname.isBlank() || hostname.length() > ReportValidator.MAX_STRING) {
      response.onError(Status.INVALID_ARGUMENT
          .withDescription("hostname: missing or longer than " + ReportValidator.MAX_STRING + " characters")
          .asRuntimeException());
      return;
    }
    var badName = ReportValidator.hostnameProblem(hostname);
    if (badName.isPresent()) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("hostname: " + badName.get()).asRuntimeException());
      return;
    }
    EnrolmentToken token;
    try {
      token = EnrolmentToken.parse(request.getToken());
    } catch (IllegalArgumentException e) {
      log.warn("Enrolment of host {} refused: malformed token.", requested);
      response.onError(Status.UNAUTHENTICATED.withDescription("unknown token (" + LogText.of(e.getMessage()) + ")")
          .asRuntimeException());
      return;
    }
    TrustRepository.TokenCheck check;
    String hostId;
    try {
      check = store.checkToken(token.tokenId(), token.secretHash(), clock.instant());
      if (check.outcome() != TrustRepository.Outcome.ACCEPTED) {
        refuse(Redemption.refused(check.outcome()), requested, hostname, token, response);
        return;
      }
      Optional<String> chosen = hostIdFor(request, check, token, hostname, response);
      if (chosen.isEmpty()) {
        return;
      }
      hostId = chosen.get();
    } catch (RuntimeException e) {
      log.error("Enrolment of host {} failed reading the store: {}", requested, LogText.of(e.getMessage()));
      response.onError(Status.UNAVAILABLE.withDescription("controller cannot read its store right now")
          .asRuntimeException());
      return;
    }
    PublicKey key;
    try {
      // The request names the id the agent asked for: its signature proves it holds the key.
      key = SigningRequests.verify(request.getCsrDer().toByteArray(), requested);
    } catch (SigningRequests.InvalidRequest e) {
      log.warn("Enrolment of host {} with token {} refused: {}", requested, token.tokenId(), LogText.of(e.getMessage()));
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    X509Certificate certificate = ca.issueClient(key, hostId);
    EnrolledHost host = new EnrolledHost(hostId, hostname, certificate.getSerialNumber().toString(16),
        certificate.getNotAfter().toInstant());
    store.redeem(token.tokenId(), token.secretHash(), host, clock.instant()).whenComplete((redemption, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        log.error("Enrolment of host {} failed in the store: {}", hostId, LogText.of(cause.getMessage()));
        response.onError(Status.UNAVAILABLE.withDescription("controller cannot store right now")
            .asRuntimeException());
        return;
      }
      if (redemption.outcome() == TrustRepository.Outcome.ACCEPTED) {
        enrolled.accept(hostId);
        if (!hostId.equals(requested)) {
          log.info("Host {} asked to enrol as {}, which {}; it was given host id {}.", HostIds.printable(hostname),
              requested, check.bound() ? "is not the host token " + token.tokenId() + " is bound to"
                  : "the controller already knows", hostId);
        }
      }
      answer(redemption, hostId, hostname, token, certificate, response);
    });
  }

  /**
   * The host id this enrolment gets, or empty after refusing: the bound host for a bound token;
   * else the requested id when the controller has never seen it; else a fresh one, when the agent
   * adopts assigned ids.
   */
  private Optional<String> hostIdFor(EnrollRequest request, TrustRepository.TokenCheck check, EnrolmentToken token,
      String hostname, StreamObserver<EnrollResponse> response) {
    String requested = request.getHostId();
    if (check.bound()) {
      if (requested.equals(check.boundHostId()) || request.getAcceptsAssignedHostId()) {
        return Optional.of(check.boundHostId());
      }
      refuse(Redemption.refused(TrustRepository.Outcome.WRONG_HOST), requested, hostname, token, response);
      return Optional.empty();
    }
    if (!store.hostKnown(requested)) {
      return Optional.of(requested);
    }
    if (request.getAcceptsAssignedHostId()) {
      String fresh;
      do {
        fresh = UUID.randomUUID().toString();
      } while (store.hostKnown(fresh));
      return Optional.of(fresh);
    }
    refuse(Redemption.refused(store.revokedHosts().contains(requested) ? TrustRepository.Outcome.HOST_REVOKED
        : TrustRepository.Outcome.HOST_EXISTS), requested, hostname, token, response);
    return Optional.empty();
  }

  private static void refuse(Redemption redemption, String hostId, String hostname, EnrolmentToken token,
      StreamObserver<EnrollResponse> response) {
    Status refusal = refusal(redemption, hostId);
    log.warn("Enrolment of host {} ({}) with token {} refused: {}", hostId, HostIds.printable(hostname),
        token.tokenId(), refusal.getDescription());
    response.onError(refusal.asRuntimeException());
  }

  private static Status refusal(Redemption redemption, String hostId) {
    return switch (redemption.outcome()) {
      case ACCEPTED -> Status.OK;
      case UNKNOWN_TOKEN -> Status.UNAUTHENTICATED.withDescription("unknown token");
      case EXPIRED -> Status.UNAUTHENTICATED.withDescription("token expired");
      case USED_UP -> Status.UNAUTHENTICATED.withDescription("token used up");
      case HOST_REVOKED -> Status.PERMISSION_DENIED.withDescription("host " + hostId
          + " was revoked; a revoked host id cannot enrol again (delete the agent's state folder to enrol "
          + "as a new host)");
      case ALREADY_ENROLLED -> Status.PERMISSION_DENIED.withDescription("host " + hostId
          + " already holds a valid certificate; a token cannot enrol it again (re-enrolling it needs a token an "
          + "admin bound to it: 'labscan-controller enroll-token --host " + hostId + "'; or delete the agent's "
          + "state folder to enrol as a new host)");
      case HOST_EXISTS -> Status.ALREADY_EXISTS.withDescription("host id " + hostId + " is already known to the "
          + "controller; a token enrols new hosts only (re-enrolling this host needs a token an admin bound to it: "
          + "'labscan-controller enroll-token --host " + hostId + "'; or delete the agent's state folder to enrol "
          + "as a new host)");
      case WRONG_HOST -> Status.PERMISSION_DENIED.withDescription("this token is bound to another host than "
          + hostId + " (an agent that adopts the host id the controller assigns enrols as that host)");
    };
  }

  private void answer(Redemption redemption, String hostId, String hostname, EnrolmentToken token,
      X509Certificate certificate, StreamObserver<EnrollResponse> response) {
    if (redemption.outcome() != TrustRepository.Outcome.ACCEPTED) {
      refuse(redemption, hostId, hostname, token, response);
      return;
    }
    try {
      response.onNext(EnrollResponse.newBuilder()
          .setHostId(hostId)
          .setCertificateDer(ByteString.copyFrom(certificate.getEncoded()))
          .addCaChainDer(ByteString.copyFrom(ca.certificate().getEncoded()))
          .setPolicy(policies.policyFor(hostId))
          .setLab(redemption.lab())
          .build());
      response.onCompleted();
      log.info("Enrolled host {} ({}) with token {} into lab '{}'; certificate {} valid until {}.", hostId,
          HostIds.printable(hostname), token.tokenId(), redemption.lab(), certificate.getSerialNumber().toString(16),
          certificate.getNotAfter().toInstant());
    } catch (CertificateEncodingException e) {
      response.onError(Status.INTERNAL.withDescription("cannot encode the certificate").asRuntimeException());
    }
  }
}
