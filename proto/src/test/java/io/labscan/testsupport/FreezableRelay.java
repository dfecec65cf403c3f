package io.labscan.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay in front of a controller's port, over real sockets, that can <em>freeze</em>: from
 * then on it forwards nothing in either direction and answers nothing, yet keeps every
 * connection open and keeps accepting new ones — what an agent sees of a hung controller process
 * or a network path that silently drops packets (no reset, no refusal).
 *
 * <p>One class for the agent's failover tests and the controller's: it lives in proto's
 * test-jar ({@code labscan-proto:tests}, package {@code io.labscan.testsupport}), the test
 * support every module's tests already take as a test-scoped dependency.
 */
public final class FreezableRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile boolean frozen;

  public FreezableRelay(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "relay-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** {@code 127.0.0.1:PORT}: where to point a client instead of the upstream. */
  public String target() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  /** Stops forwarding and answering, keeping every connection open. */
  public void freeze() {
    frozen = true;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        sockets.add(client);
        if (frozen) {
          continue; // accepted by the kernel, never answered
        }
        Socket server = new Socket(upstream.getAddress(), upstream.getPort());
        sockets.add(server);
        pump(client.getInputStream(), server.getOutputStream());
        pump(server.getInputStream(), client.getOutputStream());
      } catch (IOException e) {
        // closing, or one connection failed: keep accepting until closed
      }
    }
  }

  private void pump(InputStream in, OutputStream out) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          if (frozen) {
            closed.await(); // hold the bytes, answer nothing
            return;
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // the other side closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "relay-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    closed.countDown();
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
