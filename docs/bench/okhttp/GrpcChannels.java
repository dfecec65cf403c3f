package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.agent.trust.PinnedCaTrustManager;
import java.util.concurrent.TimeUnit;

/** Experiment: the agent's channels over grpc-okhttp (JDK SSLSocket). */
public final class GrpcChannels {
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  private GrpcChannels() {}

  public static ManagedChannel forController(String target, boolean insecure) {
    if (!insecure) {
      throw new IllegalArgumentException("A TLS channel needs the agent's credentials");
    }
    return plaintext(target);
  }

  public static ManagedChannel plaintext(String target) {
    return build(target, InsecureChannelCredentials.create());
  }

  public static ManagedChannel mutualTls(String target, AgentCredentials credentials) {
    requireNonNull(credentials, "credentials");
    return build(target, TlsChannelCredentials.newBuilder()
        .keyManager(credentials.keyManager())
        .trustManager(credentials.trustManager())
        .build());
  }

  public static ManagedChannel enrolment(String target, PinnedCaTrustManager pinned) {
    requireNonNull(pinned, "pinned");
    return build(target, TlsChannelCredentials.newBuilder().trustManager(pinned).build());
  }

  private static ManagedChannel build(String target, ChannelCredentials credentials) {
    requireNonNull(target, "target");
    return OkHttpChannelBuilder.forTarget(target, credentials)
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        .idleTimeout(5, TimeUnit.MINUTES)
        .userAgent("labscan-agent")
        .executor(TransportThreads.executor())
        .offloadExecutor(TransportThreads.executor())
        .transportExecutor(TransportThreads.executor())
        .build();
  }
}
