package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.EnrollRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits on every RPC, before the service does any work, answered with
 * {@code RESOURCE_EXHAUSTED} (which agents treat as "retry later").
 *
 * <p>On the agents' port ({@link #perHost}) calls are counted per authenticated host id (the
 * certificate's, put in the context by {@link AgentIdentityInterceptor}, which therefore must run
 * first), one token bucket per method: a host flooding heartbeats does not use up its
 * reports, and one host never slows another. Report has its own, configurable limit in
 * {@link AgentServiceImpl} and passes here untouched. On a plaintext controller, where nobody
 * is authenticated, the key is the peer's address.
 *
 * <p>On the enrolment port ({@link #enrolmentPort}) the caller has no certificate: every call is
 * counted per client address, and Enroll also per enrolment token id (the token's secret is
 * then guessed no faster from many addresses than from one).
 */
public final class CallRateLimits implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(CallRateLimits.class);
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;
  private static final String REPORT = AgentServiceGrpc.getReportMethod().getFullMethodName();

  /** Heartbeats: agents send one a minute; 1/s with bursts of 20 leaves room for restarts. */
  public static final RateLimiter.Rate HEARTBEAT = new RateLimiter.Rate(1, 20);
  /** Opening the command stream: reconnects after network trouble, not a loop. */
  public static final RateLimiter.Rate COMMANDS = new RateLimiter.Rate(0.2, 10);
  /**
   * Certificate renewal and Enroll on the agents' port: a few a day at most. Looser than the
   * renewal service's own limit ({@code CertificateRenewal.RATE}), which answers first for
   * RenewCertificate; this one bounds what reaches the service at all.
   */
  public static final RateLimiter.Rate RENEWAL = new RateLimiter.Rate(1.0 / 60, 10);
  /** Anything else on the agents' port (health checks, reflection). */
  public static final RateLimiter.Rate OTHER = new RateLimiter.Rate(2, 20);
  /**
   * Enrolment port, every call of one client address: a lab roll-out behind one NAT address
   * enrols 100 machines at once, then 10 a second (refused agents retry later); an anonymous
   * client gets at most 10 certificate signatures a second.
   */
  public static final RateLimiter.Rate ENROL_PER_ADDRESS = new RateLimiter.Rate(10, 100);
  /** Enrolment port, Enroll calls naming one token id (a lab's roll-out shares one token). */
  public static final RateLimiter.Rate ENROL_PER_TOKEN = new RateLimiter.Rate(10, 100);

  private final Map<String, RateLimiter> perMethod;
  private final RateLimiter other;
  private final boolean byAddress;
  private final Optional<RateLimiter> perToken;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  private CallRateLimits(Map<String, RateLimiter> perMethod, RateLimiter other, boolean byAddress,
      Optional<RateLimiter> perToken) {
    this.perMethod = Map.copyOf(perMethod);
    this.other = requireNonNull(other, "other");
    this.byAddress = byAddress;
    this.perToken = requireNonNull(perToken, "perToken");
  }

  /** The agents' port: per host id and method, with the default rates. */
  public static CallRateLimits perHost() {
    return perHost(HEARTBEAT, COMMANDS, RENEWAL, OTHER);
  }

  /** The agents' port: per host id and method. Report is limited by the service itself. */
  public static CallRateLimits perHost(RateLimiter.Rate heartbeat, RateLimiter.Rate commands,
      RateLimiter.Rate renewal, RateLimiter.Rate other) {
    Map<String, RateLimiter> methods = new ConcurrentHashMap<>();
    methods.put(AgentServiceGrpc.getHeartbeatMethod().getFullMethodName(), new RateLimiter(heartbeat));
    methods.put(AgentServiceGrpc.getCommandsMethod().getFullMethodName(), new RateLimiter(commands));
    methods.put(AgentServiceGrpc.getRenewCertificateMethod().getFullMethodName(), new RateLimiter(renewal));
    methods.put(AgentServiceGrpc.getEnrollMethod().getFullMethodName(), new RateLimiter(renewal));
    return new CallRateLimits(methods, new RateLimiter(other), false, Optional.empty());
  }

  /** The enrolment port, with the default rates. */
  public static CallRateLimits enrolmentPort() {
    return enrolmentPort(ENROL_PER_ADDRESS, ENROL_PER_TOKEN);
  }

  /** The enrolment port: every call per client address, Enroll also per token id. */
  public static CallRateLimits enrolmentPort(RateLimiter.Rate perAddress, RateLimiter.Rate perToken) {
    return new CallRateLimits(Map.of(), new RateLimiter(perAddress), true,
        Optional.of(new RateLimiter(perToken)));
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (method.equals(REPORT)) {
      // Report has its own limit in AgentServiceImpl (its rate is a serve option).
      return next.startCall(call, headers);
    }
    RateLimiter limiter = perMethod.getOrDefault(method, other);
    String address = address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    String key = byAddress ? address : AgentIdentity.current().orElse(address);
    if (!limiter.tryAcquire(key)) {
      return refuse(call, (byAddress ? "address " : "host ") + key, limiter.rate());
    }
    boolean enroll = method.equals(AgentServiceGrpc.getEnrollMethod().getFullMethodName());
    if (perToken.isEmpty() || !enroll) {
      return next.startCall(call, headers);
    }
    return new TokenLimited<>(call, headers, next, perToken.get(), address);
  }

  /** Checks the Enroll request's token id before the request reaches the service. */
  private final class TokenLimited<ReqT, RespT> extends ForwardingServerCallListener<ReqT> {
    private final ServerCall<ReqT, RespT> call;
    private final ServerCall.Listener<ReqT> delegate;
    private final RateLimiter limiter;
    private final String address;
    private boolean refused;

    TokenLimited(ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next,
        RateLimiter limiter, String address) {
      this.call = call;
      this.delegate = next.startCall(call, headers);
      this.limiter = limiter;
      this.address = address;
    }

    @Override
    protected ServerCall.Listener<ReqT> delegate() {
      return delegate;
    }

    @Override
    public void onMessage(ReqT message) {
      if (refused) {
        return;
      }
      if (message instanceof EnrollRequest request) {
        Optional<String> tokenId = tokenId(request.getToken());
        if (tokenId.isPresent() && !limiter.tryAcquire(tokenId.get())) {
          refused = true;
          refuse(call, "token " + tokenId.get() + " (from address " + address + ")", limiter.rate());
          return;
        }
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      if (!refused) {
        super.onReady();
      }
    }
  }

  private static Optional<String> tokenId(String token) {
    try {
      return Optional.of(EnrolmentToken.parse(token).tokenId());
    } catch (RuntimeException e) {
      return Optional.empty(); // malformed: the service refuses it; the address limit applies
    }
  }

  private <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, String who,
      RateLimiter.Rate rate) {
    String method = call.getMethodDescriptor().getFullMethodName();
    long now = System.nanoTime();
    long last = lastLog.get();
    // A flood must not become a flood of log lines: one line per 10 s at most.
    if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
      log.warn("{} from {} refused: over the rate limit of {} (further refusals in the next 10 s not logged).",
          method, who, rate);
    }
    call.close(Status.RESOURCE_EXHAUSTED.withDescription(
        method.substring(method.lastIndexOf('/') + 1) + " rate limit (" + rate + ") exceeded; retry later"),
        new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private static String address(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(remote);
  }
}
