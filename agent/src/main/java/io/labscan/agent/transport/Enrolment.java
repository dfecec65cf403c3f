package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.trust.CertificateRequests;
import io.labscan.contract.trust.Certificates;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.contract.trust.Fingerprints;
import io.labscan.contract.trust.Pem;
import io.labscan.agent.trust.PinnedCaTrustManager;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.EnrollResponse;
import io.labscan.proto.v1.Policy;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of secure enrolment. A fresh EC P-256 key is generated on the machine
 * (it never leaves it); a PKCS#10 request for {@code CN=<host id>} goes with the token to the
 * enrolment port over TLS that is trusted only if the controller's CA matches the token's
 * pin; the returned certificate is checked (our key, the host id the controller answered with,
 * signed by the pinned CA) and stored with the key and the CA in the state folder.
 *
 * <p>The agent asks for the host id in its state folder and says it adopts another
 * ({@code accepts_assigned_host_id}): a token never speaks for a host the controller already
 * knows, so a machine enrolling again with an ordinary token becomes a new host, and one
 * enrolling with a token an admin bound to a host ({@code enroll-token --host}) becomes that
 * host. The adopted id is written to {@code host-id} before the credentials, so a certificate on
 * disk always names the agent's host id.
 */
public final class Enrolment {
  private static final Logger log = LoggerFactory.getLogger(Enrolment.class);

  private Enrolment() {}

  /** What enrolment produced. */
  public record Result(AgentCredentials credentials, String lab, Optional<Policy> policy) {
    public Result {
      requireNonNull(credentials, "credentials");
      requireNonNull(lab, "lab");
      requireNonNull(policy, "policy");
    }
  }

  public static Result enroll(String target, EnrolmentToken token, String hostId, String hostname,
      String agentVersion, Path stateDir) throws EnrolmentException {
    requireNonNull(target, "target");
    requireNonNull(token, "token");
    requireNonNull(hostId, "hostId");
    requireNonNull(hostname, "hostname");
    requireNonNull(agentVersion, "agentVersion");
    requireNonNull(stateDir, "stateDir");
    KeyPair keys = Certificates.newKeyPair();
    PinnedCaTrustManager pinned = new PinnedCaTrustManager(token.caFingerprint());
    EnrollResponse response;
    try (ControllerClient client = new ControllerClient(GrpcChannels.enrolment(target, pinned))) {
      response = client.enroll(EnrollRequest.newBuilder()
          .setHostId(hostId)
          .setHostname(hostname)
          .setAgentVersion(agentVersion)
          .setToken(token.text())
          .setCsrDer(ByteString.copyFrom(CertificateRequests.create(keys, hostId)))
          .setAcceptsAssignedHostId(true)
          .build());
    } catch (StatusRuntimeException e) {
      throw refusal(e, pinned, target, token);
    }
    String assigned = response.getHostId().isEmpty() ? hostId : response.getHostId();
    AgentCredentials credentials = accept(response, keys, assigned, token);
    if (!assigned.equals(hostId)) {
      try {
        HostIdentity.adopt(stateDir, assigned);
      } catch (IllegalArgumentException e) {
        throw new EnrolmentException("The controller assigned an unusable host id: " + e.getMessage(), false, e);
      }
      log.info("The controller assigned host id {} (this agent asked for {}, which it already knew).", assigned,
          hostId);
    }
    credentials.save(stateDir);
    log.info("Enrolled host {} with the controller at {} (token {}, lab '{}'); certificate valid until {}.",
        assigned, target, token.tokenId(), response.getLab(), credentials.certificate().getNotAfter().toInstant());
    return new Result(credentials, response.getLab(),
        response.hasPolicy() ? Optional.of(response.getPolicy()) : Optional.empty());
  }

  private static EnrolmentException refusal(StatusRuntimeException e, PinnedCaTrustManager pinned, String target,
      EnrolmentToken token) {
    Optional<String> pinFailure = pinned.refusal();
    if (pinFailure.isPresent()) {
      return new EnrolmentException("Enrolment at " + target + " refused by the agent: " + pinFailure.get()
          + ". Check the address, or ask for a token printed by this controller.", false, e);
    }
    Status status = e.getStatus();
    String why = status.getDescription() == null ? status.getCode().name() : status.getDescription();
    return switch (status.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNKNOWN ->
          new EnrolmentException("Enrolment at " + target + " failed for now (" + status.getCode() + ": " + why
              + (e.getCause() != null ? "; " + e.getCause().getMessage() : "") + ").", true, e);
      default -> new EnrolmentException("The controller at " + target + " refused token " + token.tokenId()
          + ": " + why + " (" + status.getCode() + ").", false, e);
    };
  }

  /** Checks that the certificate is ours and comes from the pinned CA before keeping it. */
  private static AgentCredentials accept(EnrollResponse response, KeyPair keys, String hostId, EnrolmentToken token)
      throws EnrolmentException {
    try {
      if (response.getCaChainDerCount() == 0) {
        throw new GeneralSecurityException("no CA certificate in the response");
      }
      X509Certificate certificate = Pem.parseCertificate(response.getCertificateDer().toByteArray());
      X509Certificate ca = Pem.parseCertificate(response.getCaChainDer(0).toByteArray());
      if (!Fingerprints.same(Fingerprints.sha256(ca), token.caFingerprint())) {
        throw new GeneralSecurityException("the CA in the response is not the pinned CA");
      }
      certificate.verify(ca.getPublicKey());
      certificate.checkValidity();
      if (!Arrays.equals(certificate.getPublicKey().getEncoded(), keys.getPublic().getEncoded())) {
        throw new GeneralSecurityException("the certificate is not for the key this agent generated");
      }
      if (!Certificates.commonName(certificate).filter(hostId::equals).isPresent()) {
        throw new GeneralSecurityException("the certificate does not name host " + hostId);
      }
      return new AgentCredentials(keys.getPrivate(), certificate, ca);
    } catch (GeneralSecurityException e) {
      throw new EnrolmentException("The controller returned an unusable certificate: " + e.getMessage(), false, e);
    }
  }
}
