package io.labscan.controller.campaign;

import io.labscan.proto.v1.Command;
import java.util.Set;
import java.util.function.Consumer;

/** How campaigns reach agents: push a command on an open stream, and hear when one opens. */
public interface AgentCommands {
  /** Sends a command; false when the host has no open command stream (it is offline). */
  boolean send(String hostId, Command command);

  /** Registers a callback for every agent that opens its command stream. */
  void onConnect(Consumer<String> hostConnected);

  /** The hosts whose command stream is open now. */
  Set<String> connected();

  /**
   * No agent is reachable (a command-line process beside the running controller): every
   * command is recorded as waiting, and the controller's delivery sweep sends it.
   */
  static AgentCommands none() {
    return new AgentCommands() {
      @Override
      public boolean send(String hostId, Command command) {
        return false;
      }

      @Override
      public void onConnect(Consumer<String> hostConnected) {
        // nobody ever connects to this process
      }

      @Override
      public Set<String> connected() {
        return Set.of();
      }
    };
  }
}
