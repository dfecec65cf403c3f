package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.EgressEventSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Linux event mode: an nftables rule logs the SYN of every connection to a watched port
 * with the socket's uid, and a thread reads those lines from {@code /dev/kmsg}. Every
 * connection attempt is seen, however short the session. Needs root.
 *
 * <p>The kernel log is opened (at its end) before the rule is installed, so no line falls
 * between the two. Inside a network namespace other than the initial one the kernel logs
 * only when {@code net.netfilter.nf_log_all_netns=1}.
 */
public final class NftablesEventSource implements EgressEventSource {
  private static final Logger log = LoggerFactory.getLogger(NftablesEventSource.class);
  private static final Duration POLL = Duration.ofMillis(200);

  private final NftablesRules rules;
  private final KernelLog.Opener opener;
  private final PasswdUserNames users;
  private final Clock clock;
  private volatile boolean running;
  private @Nullable Thread reader;
  private boolean installed;

  public NftablesEventSource(NftablesRules rules, KernelLog.Opener opener, PasswdUserNames users, Clock clock) {
    this.rules = requireNonNull(rules, "rules");
    this.opener = requireNonNull(opener, "opener");
    this.users = requireNonNull(users, "users");
    this.clock = requireNonNull(clock, "clock");
  }

  /** The agent's own table in its own namespace, reading {@code /dev/kmsg}. */
  public static NftablesEventSource forPorts(Set<Integer> ports) {
    return new NftablesEventSource(NftablesRules.forPorts(ports), DevKmsg::openAtEnd, PasswdUserNames.system(),
        Clock.systemUTC());
  }

  /**
   * The rule installed through {@code commandPrefix} (e.g. {@code ip netns exec NS}), the
   * log read in the agent's namespace: for tests and for watching a container's namespace.
   */
  public static NftablesEventSource viaCommandPrefix(List<String> commandPrefix, String table, String logPrefix,
      Set<Integer> ports) {
    return new NftablesEventSource(new NftablesRules(commandPrefix, table, logPrefix, ports), DevKmsg::openAtEnd,
        PasswdUserNames.system(), Clock.systemUTC());
  }

  @Override
  public String name() {
    return "nftables-kmsg";
  }

  @Override
  public synchronized void start(Consumer<EgressEvent> sink) throws IOException {
    requireNonNull(sink, "sink");
    if (running) {
      throw new IllegalStateException("already started");
    }
    KernelLog kmsg = opener.openAtEnd();
    try {
      rules.install();
      installed = true;
    } catch (IOException | RuntimeException e) {
      kmsg.close();
      throw e;
    }
    running = true;
    reader = new Thread(() -> readLoop(kmsg, sink), "labscan-egress-kmsg");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop(KernelLog kmsg, Consumer<EgressEvent> sink) {
    try (kmsg) {
      while (running) {
        Optional<String> record = kmsg.next(POLL);
        if (record.isEmpty()) {
          continue;
        }
        NftLogParser.parseKmsgRecord(record.get(), rules.logPrefix(), clock.instant(), users::nameOf)
            .ifPresent(sink);
      }
    } catch (IOException | RuntimeException e) {
      if (running) {
        log.warn("Kernel log reader stopped: {}", e.toString());
      }
    }
  }

  @Override
  public synchronized void close() {
    running = false;
    if (reader != null) {
      try {
        reader.join(POLL.toMillis() * 5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reader = null;
    }
    if (installed) {
      try {
        rules.remove();
        installed = false;
      } catch (IOException e) {
        log.warn("Cannot remove the nftables table: {}", e.getMessage());
      }
    }
  }
}
