package io.labscan.agent.transport;

import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Experiment: OkHttp needs a reader thread per transport, so a small growable pool. */
final class TransportThreads {
  private TransportThreads() {}

  static Executor executor() {
    return Holder.EXECUTOR;
  }

  private static final class Holder {
    static final Executor EXECUTOR = pool("labscan-grpc");
  }

  private static Executor pool(String name) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(0, 16, 10, TimeUnit.MINUTES, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}
