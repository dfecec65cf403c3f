package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
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

  /** Server-authenticated TLS to the enrolment port, trusting only the pinned CA. */
  public static ManagedChannel enrolment(String target, PinnedCaTrustManager pinned) {
    requireNonNull(pinned, "pinned");
    return build(target, TlsChannelCredentials.newBuilder().trustManager(pinned).build());
  }

  private static ManagedChannel build(String target, ChannelCredentials credentials) {
    requireNonNull(target, "target");
    return NettyChannelBuilder.forTarget(target, credentials)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        // Matches the controller's permitKeepAliveTime (30 s): pinging more often gets
        // the connection closed with ENHANCE_YOUR_CALM.
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
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
