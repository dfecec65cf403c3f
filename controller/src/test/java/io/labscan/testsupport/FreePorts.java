package io.labscan.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports for the tests' real servers (PostgreSQL, Postfix, Dovecot) to listen on. */
public final class FreePorts {
  private FreePorts() {}

  /** A loopback port nothing listens on right now. */
  public static int one() throws IOException {
    return several(1)[0];
  }

  /** {@code n} different loopback ports nothing listens on right now (held together while chosen). */
  public static int[] several(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        out[i] = s.getLocalPort();
      }
      return out;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
