package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * The one place that builds the agent's gRPC channel, so transport security, keepalive and
 * message limits are decided once. Plaintext must be asked for by name.
 */
public final class GrpcChannels {
  /** Largest message the agent accepts from the controller. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  private GrpcChannels() {}

  public static ManagedChannel forController(String target, boolean insecure) {
    requireNonNull(target, "target");
    if (!insecure) {
      throw new IllegalArgumentException("Only plaintext gRPC is available in this build: "
          + "pass --insecure (or 'insecure: true' in agent.yaml) to use it knowingly.");
    }
    return NettyChannelBuilder.forTarget(target)
        .usePlaintext()
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        // Matches the controller's permitKeepAliveTime (30 s): pinging more often gets
        // the connection closed with ENHANCE_YOUR_CALM.
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        .idleTimeout(5, TimeUnit.MINUTES)
        .userAgent("labscan-agent")
        .build();
  }
}
