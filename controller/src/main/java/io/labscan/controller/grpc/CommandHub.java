package io.labscan.controller.grpc;

import io.labscan.controller.campaign.AgentCommands;
import static java.util.Objects.requireNonNull;

import io.grpc.stub.ServerCallStreamObserver;
import io.labscan.proto.v1.Command;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The open command streams, by host id: how the controller pushes "scan now" and policy. */
public final class CommandHub {
  private static final Logger log = LoggerFactory.getLogger(CommandHub.class);
  private final ConcurrentHashMap<String, ServerCallStreamObserver<Command>> streams = new ConcurrentHashMap<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();

  /** Adds a listener told whenever an agent opens its command stream. */
  public void addListener(ConnectionListener listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  void register(String hostId, ServerCallStreamObserver<Command> stream) {
    requireNonNull(hostId, "hostId");
    ServerCallStreamObserver<Command> previous = streams.put(hostId, stream);
    stream.setOnCancelHandler(() -> streams.remove(hostId, stream));
    if (previous != null && previous != stream) {
      // The agent reconnected; the old stream is dead or a duplicate.
      try {
        previous.onCompleted();
      } catch (RuntimeException ignored) {
        // already closed
      }
    }
    for (ConnectionListener listener : listeners) {
      try {
        listener.connected(hostId);
      } catch (RuntimeException e) {
        log.warn("Connection listener failed for {}: {}", hostId, e.toString());
      }
    }
  }

  /** Sends a command; false when the host has no open stream (it is offline). */
  public boolean send(String hostId, Command command) {
    ServerCallStreamObserver<Command> stream = streams.get(hostId);
    if (stream == null || stream.isCancelled()) {
      return false;
    }
    try {
      synchronized (stream) {
        stream.onNext(command);
      }
      return true;
    } catch (RuntimeException e) {
      log.debug("Command to {} failed: {}", hostId, e.toString());
      streams.remove(hostId, stream);
      return false;
    }
  }

  /** Ends a host's stream with {@code status} (its certificate was revoked); false when none was open. */
  public boolean disconnect(String hostId, io.grpc.Status status) {
    requireNonNull(hostId, "hostId");
    requireNonNull(status, "status");
    ServerCallStreamObserver<Command> stream = streams.remove(hostId);
    if (stream == null) {
      return false;
    }
    try {
      synchronized (stream) {
        stream.onError(status.asRuntimeException());
      }
    } catch (RuntimeException ignored) {
      // already closed
    }
    return true;
  }

  public Set<String> connectedHosts() {
    return Set.copyOf(streams.keySet());
  }

  /** Ends every stream (controller shutdown), so agents reconnect elsewhere promptly. */
  public void closeAll() {
    streams.forEach((id, s) -> {
      try {
        s.onCompleted();
      } catch (RuntimeException ignored) {
        // already closed
      }
    });
    streams.clear();
  }

  /** These command streams as campaigns reach agents through them. */
  public AgentCommands agentCommands() {
    CommandHub hub = this;
    return new AgentCommands() {
      @Override
      public boolean send(String hostId, Command command) {
        return hub.send(hostId, command);
      }

      @Override
      public void onConnect(java.util.function.Consumer<String> hostConnected) {
        hub.addListener(hostConnected::accept);
      }

      @Override
      public java.util.Set<String> connected() {
        return hub.connectedHosts();
      }
    };
  }
}
