package io.labscan.controller.audit;

import static java.util.Objects.requireNonNull;

/**
 * From where: an HTTP client's address (the TCP peer, or what a trusted proxy says the client
 * was), the command line of this machine, or the controller itself.
 */
public record Source(String channel, String address) {
  public Source {
    requireNonNull(channel, "channel");
    requireNonNull(address, "address");
  }

  public static Source http(String clientAddress) {
    return new Source("http", clientAddress == null ? "" : clientAddress);
  }

  /** A command-line tool on the controller's machine (its host name). */
  public static Source cli() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | RuntimeException e) {
      host = "localhost";
    }
    return new Source("cli", host);
  }

  public static Source system() {
    return new Source("system", "");
  }
}
