package io.labscan.controller.faults;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.ReportAck;
import java.util.concurrent.TimeUnit;

/**
 * The agent's own channel, with an ear on the Report calls: every acknowledgement and every
 * refusal goes into the {@link DeliveryLedger} as it arrives, before the agent's code sees it.
 */
final class RecordingChannel extends ManagedChannel {
  private final ManagedChannel delegate;
  private final DeliveryLedger ledger;

  RecordingChannel(ManagedChannel delegate, DeliveryLedger ledger) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.ledger = requireNonNull(ledger, "ledger");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method, CallOptions options) {
    ClientCall<ReqT, RespT> call = delegate.newCall(method, options);
    if (!method.getFullMethodName().equals(AgentServiceGrpc.getReportMethod().getFullMethodName())) {
      return call;
    }
    return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
          @Override
          public void onMessage(RespT message) {
            if (message instanceof ReportAck ack) {
              ledger.acked(ack.getReportId(), ack.getDuplicate());
            }
            super.onMessage(message);
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            if (!status.isOk()) {
              ledger.refused(status, trailers);
            }
            super.onClose(status, trailers);
          }
        }, headers);
      }
    };
  }

  @Override
  public String authority() {
    return delegate.authority();
  }

  @Override
  public ManagedChannel shutdown() {
    delegate.shutdown();
    return this;
  }

  @Override
  public boolean isShutdown() {
    return delegate.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return delegate.isTerminated();
  }

  @Override
  public ManagedChannel shutdownNow() {
    delegate.shutdownNow();
    return this;
  }

  /** Forwarded: the agent's failover follows the channel's state ({@code TRANSIENT_FAILURE} moves it). */
  @Override
  public io.grpc.ConnectivityState getState(boolean requestConnection) {
    return delegate.getState(requestConnection);
  }

  @Override
  public void notifyWhenStateChanged(io.grpc.ConnectivityState source, Runnable callback) {
    delegate.notifyWhenStateChanged(source, callback);
  }

  @Override
  public void enterIdle() {
    delegate.enterIdle();
  }

  @Override
  public void resetConnectBackoff() {
    delegate.resetConnectBackoff();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return delegate.awaitTermination(timeout, unit);
  }
}
