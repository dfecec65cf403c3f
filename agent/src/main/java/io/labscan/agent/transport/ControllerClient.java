package io.labscan.agent.transport;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.labscan.proto.v1.AgentServiceGrpc;
import io.labscan.proto.v1.Command;
import io.labscan.proto.v1.CommandStreamRequest;
import io.labscan.proto.v1.EnrollRequest;
import io.labscan.proto.v1.EnrollResponse;
import io.labscan.proto.v1.HeartbeatRequest;
import io.labscan.proto.v1.HeartbeatResponse;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ReportAck;
import io.labscan.proto.v1.ReportRequest;
import io.labscan.proto.v1.RenewCertificateRequest;
import io.labscan.proto.v1.RenewCertificateResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The agent's side of {@code labscan.v1.AgentService}. Every unary call has a deadline. */
public final class ControllerClient implements AutoCloseable {
  static final Duration ENROLL_DEADLINE = Duration.ofSeconds(20);
  static final Duration REPORT_DEADLINE = Duration.ofSeconds(30);
  static final Duration HEARTBEAT_DEADLINE = Duration.ofSeconds(10);

  static final Duration RENEW_DEADLINE = Duration.ofSeconds(20);

  /** The channel and its stubs, swapped as one when the agent's certificate is renewed. */
  private record Connection(ManagedChannel channel, AgentServiceGrpc.AgentServiceBlockingStub blocking,
      AgentServiceGrpc.AgentServiceStub async) {
    static Connection over(ManagedChannel channel) {
      return new Connection(channel, AgentServiceGrpc.newBlockingStub(channel), AgentServiceGrpc.newStub(channel));
    }
  }

  private volatile Connection connection;
  private boolean closed;

  public ControllerClient(ManagedChannel channel) {
    this.connection = Connection.over(requireNonNull(channel, "channel"));
  }

  /**
   * Makes every later call use {@code next} (new credentials: its TLS context presents the
   * renewed certificate and resumes no session of the old one). Calls in flight finish on the
   * old channel, which then closes; a stream on it ends when the caller cancels it.
   */
  public synchronized void useChannel(ManagedChannel next) {
    requireNonNull(next, "next");
    if (closed) {
      next.shutdownNow();
      return;
    }
    Connection old = connection;
    connection = Connection.over(next);
    old.channel().shutdown();
  }

  public EnrollResponse enroll(EnrollRequest request) {
    return connection.blocking().withDeadlineAfter(ENROLL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .enroll(request);
  }

  public ReportAck report(Report report) {
    return connection.blocking().withDeadlineAfter(REPORT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .report(ReportRequest.newBuilder().setReport(report).build());
  }

  public HeartbeatResponse heartbeat(HeartbeatRequest request) {
    return connection.blocking().withDeadlineAfter(HEARTBEAT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .heartbeat(request);
  }

  public RenewCertificateResponse renewCertificate(RenewCertificateRequest request) {
    return connection.blocking().withDeadlineAfter(RENEW_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .renewCertificate(request);
  }

  /**
   * Opens the command stream. It has no deadline on purpose: it lives as long as the
   * connection; keepalive detects a dead peer and the caller reconnects on error.
   *
   * @return closing it cancels the stream ({@code observer} then gets {@code CANCELLED})
   */
  public AutoCloseable commands(String hostId, StreamObserver<Command> observer) {
    Context.CancellableContext call = Context.current().withCancellation();
    AgentServiceGrpc.AgentServiceStub async = connection.async();
    call.run(() -> async.commands(CommandStreamRequest.newBuilder().setHostId(hostId).build(), observer));
    return () -> call.cancel(null);
  }

  /**
   * Drops the channel's connection for the next call to open a fresh one. For when this host's
   * addresses changed: a connection from an address the host no longer has is dead, but would
   * only be found so by keepalive, tens of seconds later. Calls in flight finish on it.
   */
  public void reconnect() {
    connection.channel().enterIdle();
  }

  @Override
  public void close() {
    ManagedChannel channel;
    synchronized (this) {
      closed = true;
      channel = connection.channel();
    }
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
