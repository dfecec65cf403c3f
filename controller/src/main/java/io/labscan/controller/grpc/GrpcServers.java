package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.labscan.proto.v1.AgentServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The one place that builds the controller's gRPC servers, so transport security, keepalive,
 * message limits, health and reflection are decided once. Three kinds exist:
 *
 * <ul>
 *   <li>{@link #mutualTls}: the agents' port; TLS with client certificates REQUIRED (issued by
 *       the controller's CA), every call bound to its certificate's host id;
 *   <li>{@link #enrolment}: server-authenticated TLS serving only Enroll (and health), where an
 *       agent without a certificate trades a token and a CSR for one;
 *   <li>{@link #plaintext}: no TLS at all; demos on loopback and closed test networks.
 * </ul>
 */
public final class GrpcServers {
  /** Largest message the controller accepts (a report with many findings stays far below). */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;
  /** Largest message on the unauthenticated enrolment port: a CSR and a token are tiny. */
  public static final int MAX_ENROLMENT_MESSAGE_BYTES = 64 * 1024;

  /**
   * Concurrent calls one connection may have open on the agents' port. An agent needs at most
   * about five at once (its Commands stream, a Report, a Heartbeat, a RenewCertificate, a health
   * check); beyond the cap HTTP/2 refuses the extra streams, so one connection cannot tie up
   * every handler and all the memory of thousands of open calls.
   */
  public static final int AGENT_CALLS_PER_CONNECTION = 16;
  /** Concurrent calls one connection may have open on the enrolment port (one Enroll, one health check). */
  public static final int ENROLMENT_CALLS_PER_CONNECTION = 4;
  /**
   * A connection with no call open this long is closed. Above the agent's own channel idle
   * timeout (5 min), so an agent's connection ends by its own choice first; an agent with its
   * Commands stream open is never idle.
   */
  public static final Duration MAX_CONNECTION_IDLE = Duration.ofMinutes(15);
  /**
   * Every connection is asked to go away (GOAWAY) after this long, and closed after the grace,
   * so no client keeps one connection (and what it has pinned) forever. An agent's Commands
   * stream then ends with UNAVAILABLE and the agent reopens it, as after any stream close.
   */
  public static final Duration MAX_CONNECTION_AGE = Duration.ofHours(1);
  /** How long calls may run on after the GOAWAY of {@link #MAX_CONNECTION_AGE}. */
  public static final Duration MAX_CONNECTION_AGE_GRACE = Duration.ofMinutes(5);

  /**
   * Threads that run the servers' call handlers. Every handler answers asynchronously (store
   * writes complete on the store's own threads) and none blocks for long, so a few threads per
   * core are enough; gRPC's default cached pool instead made a thread for every call that
   * arrived while the others were busy, and grew to 200-520 threads on 2 cores during report
   * bursts of the load test (docs/PERFORMANCE.md, section 4). Calls beyond these threads wait
   * in the pool's queue; their deadlines still apply.
   */
  static final int HANDLER_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  /** One pool for every server in the process (agents', enrolment, plaintext), like Netty's event loops. */
  private static final class HandlerPool {
    static final ExecutorService EXECUTOR = Executors.newFixedThreadPool(HANDLER_THREADS, new java.util.concurrent.ThreadFactory() {
      private final AtomicInteger next = new AtomicInteger();

      @Override
      public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, "labscan-grpc-handler-" + next.incrementAndGet());
        // Daemon: the servers' shutdown ends the calls; the pool must not keep the JVM alive.
        thread.setDaemon(true);
        return thread;
      }
    });
  }

  private GrpcServers() {}

  /**
   * Starts a plaintext server on {@code bind:port} (port 0 picks a free one).
   *
   * @param insecure must be true: TLS servers are built by {@link #mutualTls} and {@link #enrolment}
   */
  public static Server start(String bind, int port, boolean insecure, List<BindableService> services) {
    if (!insecure) {
      throw new IllegalArgumentException("A TLS server needs the controller's keys: use GrpcServers.mutualTls, "
          + "or pass --insecure for plaintext.");
    }
    return plaintext(bind, port, services);
  }

  /** Plaintext gRPC; nobody is authenticated. */
  public static Server plaintext(String bind, int port, List<BindableService> services) {
    // Nobody is authenticated: per-address limits would throttle every demo agent on loopback
    // as one; Report keeps its own per-host limit in the service.
    return plaintext(bind, port, new ServerInterceptor() {
      @Override
      public <ReqT, RespT> io.grpc.ServerCall.Listener<ReqT> interceptCall(io.grpc.ServerCall<ReqT, RespT> call,
          io.grpc.Metadata headers, io.grpc.ServerCallHandler<ReqT, RespT> next) {
        return next.startCall(call, headers);
      }
    }, services);
  }

  /** Plaintext gRPC with {@code limits} on every call (keyed by the peer's address). */
  public static Server plaintext(String bind, int port, ServerInterceptor limits, List<BindableService> services) {
    // No per-connection cap: in-process demos and load tests multiplex many calls on one channel.
    return plaintext(bind, port, limits, services, Integer.MAX_VALUE);
  }

  /** Plaintext gRPC with at most {@code callsPerConnection} concurrent calls on one connection. */
  static Server plaintext(String bind, int port, ServerInterceptor limits, List<BindableService> services,
      int callsPerConnection) {
    requireNonNull(services, "services");
    requireNonNull(limits, "limits");
    HealthStatusManager health = new HealthStatusManager();
    NettyServerBuilder builder = common(bind, port, InsecureServerCredentials.create(), health, callsPerConnection)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .addService(ProtoReflectionServiceV1.newInstance())
        .intercept(limits);
    for (BindableService service : services) {
      builder.addService(service);
      health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    return start(builder, bind, port, "--grpc-port");
  }

  /**
   * The agents' port: TLS 1.2+ with the controller's certificate, client certificates
   * REQUIRED and checked against the CA, and {@code identity} run on every call.
   */
  public static Server mutualTls(String bind, int port, X509ExtendedKeyManager serverKey,
      X509ExtendedTrustManager clientCa, ServerInterceptor identity, List<BindableService> services) {
    return mutualTls(bind, port, serverKey, clientCa, identity, CallRateLimits.perHost(), services);
  }

  /**
   * The agents' port with {@code limits} run on every call after {@code identity} (so they can
   * count per authenticated host).
   */
  public static Server mutualTls(String bind, int port, X509ExtendedKeyManager serverKey,
      X509ExtendedTrustManager clientCa, ServerInterceptor identity, ServerInterceptor limits,
      List<BindableService> services) {
    requireNonNull(limits, "limits");
    requireNonNull(serverKey, "serverKey");
    requireNonNull(clientCa, "clientCa");
    requireNonNull(identity, "identity");
    requireNonNull(services, "services");
    ServerCredentials credentials = TlsServerCredentials.newBuilder()
        .keyManager(serverKey)
        .trustManager(clientCa)
        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
        .build();
    HealthStatusManager health = new HealthStatusManager();
    NettyServerBuilder builder = common(bind, port, credentials, health, AGENT_CALLS_PER_CONNECTION)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .addService(ProtoReflectionServiceV1.newInstance())
        // Server interceptors run in the reverse order of adding: identity first, then limits.
        .intercept(limits)
        .intercept(identity);
    for (BindableService service : services) {
      builder.addService(service);
      health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    return start(builder, bind, port, "--grpc-port");
  }

  /**
   * The enrolment port: server-only TLS (the agent has no certificate yet) exposing only
   * {@code AgentService/Enroll} of {@code enrolment}, plus health.
   */
  public static Server enrolment(String bind, int port, X509ExtendedKeyManager serverKey,
      BindableService enrolment) {
    return enrolment(bind, port, serverKey, CallRateLimits.enrolmentPort(), enrolment);
  }

  /** The enrolment port with {@code limits} (per client address and token id) on every call. */
  public static Server enrolment(String bind, int port, X509ExtendedKeyManager serverKey,
      ServerInterceptor limits, BindableService enrolment) {
    requireNonNull(limits, "limits");
    requireNonNull(serverKey, "serverKey");
    requireNonNull(enrolment, "enrolment");
    ServerServiceDefinition full = enrolment.bindService();
    ServerMethodDefinition<?, ?> enroll = full.getMethod(AgentServiceGrpc.getEnrollMethod().getFullMethodName());
    if (enroll == null) {
      throw new IllegalArgumentException("the enrolment service does not serve AgentService/Enroll");
    }
    ServerServiceDefinition onlyEnroll = ServerServiceDefinition.builder(full.getServiceDescriptor().getName())
        .addMethod(enroll)
        .build();
    HealthStatusManager health = new HealthStatusManager();
    NettyServerBuilder builder = common(bind, port,
        TlsServerCredentials.newBuilder().keyManager(serverKey).build(), health, ENROLMENT_CALLS_PER_CONNECTION)
        .maxInboundMessageSize(MAX_ENROLMENT_MESSAGE_BYTES)
        .addService(onlyEnroll)
        .intercept(limits);
    health.setStatus(onlyEnroll.getServiceDescriptor().getName(), ServingStatus.SERVING);
    return start(builder, bind, port, "--enroll-port");
  }

  private static NettyServerBuilder common(String bind, int port, ServerCredentials credentials,
      HealthStatusManager health, int callsPerConnection) {
    requireNonNull(bind, "bind");
    health.setStatus("", ServingStatus.SERVING);
    return NettyServerBuilder.forAddress(new InetSocketAddress(bind, port), credentials)
        .maxInboundMetadataSize(16 * 1024)
        .maxConcurrentCallsPerConnection(callsPerConnection)
        .maxConnectionIdle(MAX_CONNECTION_IDLE.toSeconds(), TimeUnit.SECONDS)
        .maxConnectionAge(MAX_CONNECTION_AGE.toSeconds(), TimeUnit.SECONDS)
        .maxConnectionAgeGrace(MAX_CONNECTION_AGE_GRACE.toSeconds(), TimeUnit.SECONDS)
        // Agents ping every 60 s; allow down to 30 s, refuse anything more eager.
        .permitKeepAliveTime(30, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .keepAliveTime(2, TimeUnit.MINUTES)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        .handshakeTimeout(20, TimeUnit.SECONDS)
        .executor(HandlerPool.EXECUTOR)
        .addService(health.getHealthService());
  }

  private static Server start(NettyServerBuilder builder, String bind, int port, String option) {
    try {
      return builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot listen for gRPC on " + bind + ":" + port + ": " + e.getMessage()
          + " (is another controller running? pick another port with " + option + ")", e);
    }
  }
}
