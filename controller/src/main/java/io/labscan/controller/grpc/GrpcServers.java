package io.labscan.controller.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one place that builds the controller's gRPC server, so transport security, keepalive,
 * message limits, health and reflection are decided once.
 */
public final class GrpcServers {
  /** Largest message the controller accepts (a report with many findings stays far below). */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;

  private GrpcServers() {}

  /**
   * Starts a server on {@code bind:port} (port 0 picks a free one).
   *
   * @param insecure plaintext; the only transport until mTLS lands, and it must be asked for
   */
  public static Server start(String bind, int port, boolean insecure, List<BindableService> services) {
    requireNonNull(bind, "bind");
    requireNonNull(services, "services");
    if (!insecure) {
      throw new IllegalArgumentException("Only plaintext gRPC is available in this build: pass --insecure "
          + "to use it knowingly.");
    }
    HealthStatusManager health = new HealthStatusManager();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port))
        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
        .maxInboundMetadataSize(16 * 1024)
        // Agents ping every 60 s; allow down to 30 s, refuse anything more eager.
        .permitKeepAliveTime(30, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        .keepAliveTime(2, TimeUnit.MINUTES)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        .handshakeTimeout(20, TimeUnit.SECONDS)
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance());
    for (BindableService service : services) {
      builder.addService(service);
      health.setStatus(service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    health.setStatus("", ServingStatus.SERVING);
    try {
      return builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot listen for gRPC on " + bind + ":" + port + ": " + e.getMessage()
          + " (is another controller running? pick another port with --grpc-port)", e);
    }
  }
}
