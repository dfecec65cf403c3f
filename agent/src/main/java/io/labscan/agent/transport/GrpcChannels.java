package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.trust.PinnedCaTrustManager;
import java.util.concurrent.TimeUnit;

/**
 * The one place that builds the agent's gRPC channels, so transport security, keepalive and
 * message limits are decided once. Three kinds exist: mutual TLS with the agent's enrolled
 * credentials (every normal call), server-authenticated TLS pinned to the CA fingerprint of
 * an enrolment token (the Enroll call only), and plaintext, which must be asked for by name.
 */
public final class GrpcChannels {
  /** Largest message the agent accepts from the controller. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  static final int KEEPALIVE_TIME_SECONDS = 40;
  static final int KEEPALIVE_TIMEOUT_SECONDS = 10;
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private GrpcChannels() {}

  /**
   * A plaintext channel when {@code insecure}; TLS needs credentials, so asking for it here
   * is a programming error pointing to {@link #mutualTls}.
   */
  public static ManagedChannel forController(String target, boolean insecure) {
    if (!insecure) {
      throw new IllegalArgumentException("A TLS channel needs the agent's credentials: "
          + "use GrpcChannels.mutualTls, or pass --insecure (or 'insecure: true') for plaintext.");
    }
    return plaintext(target);
  }

  /** Plaintext gRPC: demos on loopback and closed test networks only. */
  public static ManagedChannel plaintext(String target) {
    return build(target, InsecureChannelCredentials.create());
  }

  /**
   * Mutual TLS: the agent presents its certificate and trusts only controller certificates
   * issued by its stored CA (host name checked against the certificate's names).
   */
  public static ManagedChannel mutualTls(String target, AgentCredentials credentials) {
    requireNonNull(credentials, "credentials");
    return build(target, TlsChannelCredentials.newBuilder()
        .keyManager(credentials.keyManager())
        .trustManager(credentials.trustManager())
        .build());
  }

  /** Plaintext gRPC to one of several controllers (see {@link #mutualTls(ControllerTargets.Target, AgentCredentials)}). */
  public static ManagedChannel plaintext(ControllerTargets.Target target) {
    return build(target, InsecureChannelCredentials.create());
  }

  /**
   * Mutual TLS to one target of several: the resolved address is dialled, and the controller's
   * certificate is verified for the configured host name ({@link ControllerTargets.Target#authority}),
   * issued by the agent's stored CA, exactly as for a single controller.
   */
  public static ManagedChannel mutualTls(ControllerTargets.Target target, AgentCredentials credentials) {
    requireNonNull(credentials, "credentials");
    return build(target, TlsChannelCredentials.newBuilder()
        .keyManager(credentials.keyManager())
        .trustManager(credentials.trustManager())
        .build());
  }

  private static ManagedChannel build(ControllerTargets.Target target, ChannelCredentials credentials) {
    requireNonNull(target, "target");
    if (target.address().isEmpty()) {
      return build(target.authority(), credentials);
    }
    return configure(NettyChannelBuilder.forAddress(target.address().get(), credentials)
        .overrideAuthority(target.authority()));
  }

  /** Server-authenticated TLS to the enrolment port, trusting only the pinned CA. */
  public static ManagedChannel enrolment(String target, PinnedCaTrustManager pinned) {
    requireNonNull(pinned, "pinned");
    return build(target, TlsChannelCredentials.newBuilder().trustManager(pinned).build());
  }

  private static ManagedChannel build(String target, ChannelCredentials credentials) {
    requireNonNull(target, "target");
    return configure(NettyChannelBuilder.forTarget(target, credentials));
  }

  private static ManagedChannel configure(NettyChannelBuilder builder) {
    return builder
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        // Above the controller's permitKeepAliveTime (30 s): pinging more often gets the
        // connection closed with ENHANCE_YOUR_CALM. 40 s + 10 s means a controller that stops
        // answering (hung, or its network path gone) is noticed within 50 s even while no call
        // is made, so an agent with several controllers moves on within a minute (failover).
        .keepAliveTime(KEEPALIVE_TIME_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        // A controller whose address drops connection attempts is given up on in 10 s (the
        // TLS handshake has its own 10 s limit), not the 30 s default, so the next one is tried.
        .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
        .idleTimeout(5, TimeUnit.MINUTES)
        .userAgent("labscan-agent")
        // Shared, fixed threads (see TransportThreads); NIO, so the epoll native library is not loaded.
        .eventLoopGroup(TransportThreads.eventLoop())
        .channelType(NioSocketChannel.class)
        .executor(TransportThreads.executor())
        .offloadExecutor(TransportThreads.executor())
        .build();
  }
}
