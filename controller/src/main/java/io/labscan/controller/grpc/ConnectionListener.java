package io.labscan.controller.grpc;

/**
 * Told when an agent opens its command stream (connects or reconnects), so commands queued
 * while it was offline can be delivered. Called on a gRPC thread: return quickly.
 */
@FunctionalInterface
public interface ConnectionListener {
  void connected(String hostId);
}
