package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.trust.CertificateRequests;
import io.labscan.contract.trust.Certificates;
import io.labscan.contract.trust.Fingerprints;
import io.labscan.contract.trust.OwnerOnlyFiles;
import io.labscan.contract.trust.Pem;
import io.labscan.proto.v1.RenewCertificateRequest;
import io.labscan.proto.v1.RenewCertificateResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the agent's certificate before it runs out, over the agent's own mutual-TLS channel.
 * Asked on every heartbeat; does something only inside the last {@link #RENEW_BEFORE} of the
 * certificate's life, at most once per {@link #RETRY_EVERY}.
 *
 * <p>The new key and its request are stored in the state folder before the request is sent
 * ({@link AgentCredentials#NEXT_KEY_FILE}, owner-only), so an answer lost on the way is asked
 * for again with the same key, which the controller answers again; a renewed certificate is
 * checked like an enrolment's (our key, our host id, the CA we already trust) before it is
 * installed.
 */
public final class CredentialRenewal {
  private static final Logger log = LoggerFactory.getLogger(CredentialRenewal.class);

  /** The agent asks this long before its certificate ends (the controller allows 60 days). */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);
  /** After a failed attempt, the next one waits this long. */
  public static final Duration RETRY_EVERY = Duration.ofHours(1);
  /** Failures are logged as errors from this long before the end. */
  static final Duration URGENT = Duration.ofDays(7);

  private final Path stateDir;
  private final String hostId;
  private final Clock clock;
  private volatile AgentCredentials current;
  private Instant nextAttempt = Instant.MIN;

  public CredentialRenewal(Path stateDir, String hostId, AgentCredentials current, Clock clock) {
    this.stateDir = requireNonNull(stateDir, "stateDir");
    this.hostId = requireNonNull(hostId, "hostId");
    this.current = requireNonNull(current, "current");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The credentials in use: the enrolled ones, or the last renewed. */
  public AgentCredentials current() {
    return current;
  }

  /** When the agent starts asking for a new certificate. */
  public Instant renewalStarts() {
    return current.certificate().getNotAfter().toInstant().minus(RENEW_BEFORE);
  }

  /**
   * Renews when due and not attempted within the last {@link #RETRY_EVERY}. Returns the new
   * credentials (already stored in the state folder) for the caller to connect with; empty
   * when nothing was due or the attempt failed (logged with the reason).
   */
  public synchronized Optional<AgentCredentials> renewIfDue(ControllerClient client) {
    requireNonNull(client, "client");
    Instant now = clock.instant();
    if (now.isBefore(renewalStarts()) || now.isBefore(nextAttempt)) {
      return Optional.empty();
    }
    nextAttempt = now.plus(RETRY_EVERY);
    Instant ends = current.certificate().getNotAfter().toInstant();
    try {
      Pending pending = pending();
      RenewCertificateResponse response = client.renewCertificate(RenewCertificateRequest.newBuilder()
          .setHostId(hostId)
          .setCsrDer(ByteString.copyFrom(pending.requestDer()))
          .build());
      AgentCredentials renewed = accept(response, pending.key(), now);
      renewed.installRenewal(stateDir);
      current = renewed;
      nextAttempt = Instant.MIN;
      log.info("Certificate renewed: valid until {} (the previous one ended {}).",
          renewed.certificate().getNotAfter().toInstant(), ends);
      return Optional.of(renewed);
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      complain(ends, now, "the controller answered " + status.getCode()
          + (status.getDescription() == null ? "" : ": " + status.getDescription()));
    } catch (GeneralSecurityException e) {
      complain(ends, now, "the controller returned an unusable certificate: " + e.getMessage());
    } catch (RuntimeException e) {
      complain(ends, now, e.getMessage());
    }
    return Optional.empty();
  }

  private void complain(Instant ends, Instant now, String why) {
    String message = "Certificate renewal failed (" + why + "); the certificate ends " + ends
        + ", next attempt in " + RETRY_EVERY.toMinutes() + " minutes.";
    if (Duration.between(now, ends).compareTo(URGENT) < 0) {
      log.error(message + " Once it has ended this agent cannot reach the controller until it is enrolled"
          + " again with a token ('labscan-agent enroll --force --token TOKEN'; to keep host id " + hostId
          + ", the token must come from 'labscan-controller enroll-token --host " + hostId + "').");
    } else {
      log.warn(message);
    }
  }

  /** The new key and its request: the stored ones of an earlier attempt, or new ones stored now. */
  private Pending pending() {
    Path keyFile = stateDir.resolve(AgentCredentials.NEXT_KEY_FILE);
    Path requestFile = stateDir.resolve(AgentCredentials.NEXT_REQUEST_FILE);
    try {
      if (Files.isRegularFile(keyFile) && Files.isRegularFile(requestFile)) {
        Optional<Pending> stored = readPending(keyFile, requestFile);
        if (stored.isPresent()) {
          return stored.get();
        }
      }
      KeyPair keys = Certificates.newKeyPair();
      byte[] request = CertificateRequests.create(keys, hostId);
      OwnerOnlyFiles.writePublic(requestFile, Pem.encode(REQUEST, request));
      OwnerOnlyFiles.writeSecret(keyFile, Pem.privateKey(keys.getPrivate()));
      return new Pending(keys.getPrivate(), request);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the new key in " + stateDir + ": " + e.getMessage(), e);
    }
  }

  private static final String REQUEST = "CERTIFICATE REQUEST";

  private Optional<Pending> readPending(Path keyFile, Path requestFile) throws IOException {
    try {
      if (Files.size(keyFile) > Pem.MAX_TEXT || Files.size(requestFile) > Pem.MAX_TEXT) {
        return Optional.empty();
      }
      PrivateKey key = Pem.readPrivateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), "EC");
      List<byte[]> request = Pem.decode(Files.readString(requestFile, StandardCharsets.US_ASCII), REQUEST);
      return request.size() == 1 ? Optional.of(new Pending(key, request.get(0))) : Optional.empty();
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      log.warn("The stored renewal key in {} is unreadable ({}): starting over with a new key.", stateDir,
          e.getMessage());
      return Optional.empty();
    }
  }

  /** Checks that the certificate is for our new key and host, from the CA we trust, and valid now. */
  private AgentCredentials accept(RenewCertificateResponse response, PrivateKey key, Instant now)
      throws GeneralSecurityException {
    if (response.getCaChainDerCount() == 0) {
      throw new GeneralSecurityException("no CA certificate in the response");
    }
    X509Certificate certificate = Pem.parseCertificate(response.getCertificateDer().toByteArray());
    X509Certificate ca = Pem.parseCertificate(response.getCaChainDer(0).toByteArray());
    X509Certificate trusted = current.ca();
    if (!Fingerprints.same(Fingerprints.sha256(ca), Fingerprints.sha256(trusted))) {
      throw new GeneralSecurityException("the CA in the response is not the CA this agent trusts");
    }
    certificate.verify(trusted.getPublicKey());
    certificate.checkValidity(Date.from(now));
    if (!Certificates.keyMatches(key, certificate.getPublicKey())) {
      throw new GeneralSecurityException("the certificate is not for the key this agent generated");
    }
    if (!Certificates.commonName(certificate).filter(hostId::equals).isPresent()) {
      throw new GeneralSecurityException("the certificate does not name host " + hostId);
    }
    if (!certificate.getNotAfter().after(current.certificate().getNotAfter())) {
      throw new GeneralSecurityException("the certificate does not last longer than the current one");
    }
    return new AgentCredentials(key, certificate, trusted);
  }

  private record Pending(PrivateKey key, byte[] requestDer) {}
}
