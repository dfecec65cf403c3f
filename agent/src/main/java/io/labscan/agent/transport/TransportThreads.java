package io.labscan.agent.transport;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every agent channel shares: one Netty event loop and two gRPC worker threads,
 * all daemons, created once per process and kept. An agent makes one call a minute; gRPC's
 * defaults (an event loop group sized by cores, a cached executor whose idle threads exit
 * after 60 s) recreated a thread for nearly every heartbeat and kept more stacks around
 * than the traffic needs.
 */
final class TransportThreads {
  /** Callbacks of the command stream and of asynchronous calls; blocking calls run on the caller. */
  static final int EXECUTOR_THREADS = 2;

  private TransportThreads() {}

  static EventLoopGroup eventLoop() {
    return Holder.EVENT_LOOP;
  }

  static Executor executor() {
    return Holder.EXECUTOR;
  }

  /** Created on first use (class initialisation is lazy and thread-safe). */
  private static final class Holder {
    static final EventLoopGroup EVENT_LOOP = new NioEventLoopGroup(1,
        new DefaultThreadFactory("labscan-grpc-nio", true));
    static final Executor EXECUTOR = fixedDaemonPool("labscan-grpc", EXECUTOR_THREADS);
  }

  private static Executor fixedDaemonPool(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, name + "-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    return pool;
  }
}
