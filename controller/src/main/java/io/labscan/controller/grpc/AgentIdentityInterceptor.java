package io.labscan.controller.grpc;

import io.labscan.controller.trust.CertificateCheck;
import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.labscan.contract.trust.Certificates;
import io.labscan.proto.v1.AgentServiceGrpc;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds every call on the mTLS port to the agent that made it. The TLS handshake already
 * proved the client holds a certificate from the controller's CA; this reads that
 * certificate from the call's SSL session, takes its CN as the host id, refuses revoked
 * hosts, and puts the host id in the context ({@link AgentIdentity}) for the service to
 * compare with whatever host the request speaks for.
 */
public final class AgentIdentityInterceptor implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(AgentIdentityInterceptor.class);

  private final Predicate<String> revoked;
  private final CertificateCheck certificates;

  /** @param revoked tells whether a host id was revoked (checked on every call) */
  public AgentIdentityInterceptor(Predicate<String> revoked) {
    this(revoked, CertificateCheck.none());
  }

  /** @param certificates refuses certificates the host no longer holds (replaced by a renewal) */
  public AgentIdentityInterceptor(Predicate<String> revoked, CertificateCheck certificates) {
    this.revoked = requireNonNull(revoked, "revoked");
    this.certificates = requireNonNull(certificates, "certificates");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    Optional<X509Certificate> leaf = peerCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    Optional<String> hostId = leaf.flatMap(AgentIdentityInterceptor::hostIdOf);
    if (hostId.isEmpty()) {
      log.warn("Refused {} from {}: no agent certificate naming a host id.",
          call.getMethodDescriptor().getFullMethodName(), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      return refuse(call, "no agent certificate naming a host id");
    }
    if (revoked.test(hostId.get())) {
      log.warn("Refused {} from revoked host {} ({}).", call.getMethodDescriptor().getFullMethodName(),
          hostId.get(), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
      return refuse(call, "certificate of host " + hostId.get() + " was revoked");
    }
    boolean renewal = call.getMethodDescriptor().getFullMethodName()
        .equals(AgentServiceGrpc.getRenewCertificateMethod().getFullMethodName());
    Optional<String> replaced;
    try {
      replaced = certificates.refusal(hostId.get(), leaf.get(), renewal);
    } catch (RuntimeException e) {
      log.warn("Refused {} from host {}: its certificate could not be checked ({}).",
          call.getMethodDescriptor().getFullMethodName(), hostId.get(), e.getMessage());
      call.close(Status.UNAVAILABLE.withDescription("controller cannot check certificates right now"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (replaced.isPresent()) {
      log.warn("Refused {} from host {} ({}): {}.", call.getMethodDescriptor().getFullMethodName(), hostId.get(),
          call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR), replaced.get());
      return refuse(call, replaced.get());
    }
    Context context = Context.current().withValues(AgentIdentity.HOST_ID, hostId.get(),
        AgentIdentity.CERTIFICATE, leaf.get());
    return Contexts.interceptCall(context, call, headers, next);
  }

  private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, String why) {
    call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** The host id a verified peer certificate names: its CN, which must be a lower-case UUID. */
  private static Optional<String> hostIdOf(X509Certificate leaf) {
    return Certificates.commonName(leaf).filter(AgentIdentityInterceptor::isHostId);
  }

  /** The verified peer's own certificate (the chain's first). */
  private static Optional<X509Certificate> peerCertificate(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return Optional.empty();
      }
      return Optional.of(leaf);
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private static boolean isHostId(String s) {
    try {
      return s.length() == 36 && UUID.fromString(s).toString().equals(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
