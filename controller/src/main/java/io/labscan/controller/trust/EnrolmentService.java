package io.labscan.controller.trust;

import static java.util.Objects.requireNonNull;

import io.labscan.controller.LogText;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.labscan.agent.trust.EnrolmentToken;
import io.labscan.controller.grpc.PolicyProvider;
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
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enrolment port's only RPC: Enroll with a token and a certificate signing request.
 * Every other AgentService method answers UNIMPLEMENTED here; they live on the mTLS port.
 *
 * <p>The request is checked before the token is spent (a malformed request does not use up a
 * token); the token check, the spending of one use and the host's registration are one
 * atomic store write. Refusals say why ("token expired", "token used up", "unknown token")
 * and are logged with the token id, never the secret.
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
    String hostId = request.getHostId();
    if (!HostIds.valid(hostId)) {
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
    EnrolmentToken token;
    try {
      token = EnrolmentToken.parse(request.getToken());
    } catch (IllegalArgumentException e) {
      log.warn("Enrolment of host {} refused: malformed token.", hostId);
      response.onError(Status.UNAUTHENTICATED.withDescription("unknown token (" + e.getMessage() + ")")
          .asRuntimeException());
      return;
    }
    PublicKey key;
    try {
      key = SigningRequests.verify(request.getCsrDer().toByteArray(), hostId);
    } catch (SigningRequests.InvalidRequest e) {
      log.warn("Enrolment of host {} with token {} refused: {}", hostId, token.tokenId(), LogText.of(e.getMessage()));
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
        log.error("Enrolment of host {} failed in the store: {}", hostId, cause.getMessage());
        response.onError(Status.UNAVAILABLE.withDescription("controller cannot store right now")
            .asRuntimeException());
        return;
      }
      if (redemption.outcome() == TrustRepository.Outcome.ACCEPTED) {
        enrolled.accept(hostId);
      }
      answer(redemption, hostId, hostname, token, certificate, response);
    });
  }

  private void answer(Redemption redemption, String hostId, String hostname, EnrolmentToken token,
      X509Certificate certificate, StreamObserver<EnrollResponse> response) {
    Status refusal = switch (redemption.outcome()) {
      case ACCEPTED -> null;
      case UNKNOWN_TOKEN -> Status.UNAUTHENTICATED.withDescription("unknown token");
      case EXPIRED -> Status.UNAUTHENTICATED.withDescription("token expired");
      case USED_UP -> Status.UNAUTHENTICATED.withDescription("token used up");
      case HOST_REVOKED -> Status.PERMISSION_DENIED.withDescription("host " + hostId
          + " was revoked; a revoked host id cannot enrol again (delete the agent's state folder to enrol "
          + "as a new host)");
      case ALREADY_ENROLLED -> Status.PERMISSION_DENIED.withDescription("host " + hostId
          + " already holds a valid certificate; a token cannot enrol it again until that certificate expires "
          + "(delete the agent's state folder to enrol as a new host)");
    };
    if (refusal != null) {
      log.warn("Enrolment of host {} ({}) with token {} refused: {}", hostId, HostIds.printable(hostname),
          token.tokenId(), refusal.getDescription());
      response.onError(refusal.asRuntimeException());
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
