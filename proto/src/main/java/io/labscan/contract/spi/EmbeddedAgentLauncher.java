package io.labscan.contract.spi;

import static java.util.Objects.requireNonNull;

import io.labscan.proto.v1.Report;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;

/**
 * Starts an agent inside the calling JVM: how the controller's {@code demo} runs one agent on
 * this machine without compiling against the agent.
 *
 * <p>Like Trino's SPI: the controller sees only this interface; the agent jar provides the
 * implementation ({@code META-INF/services/io.labscan.contract.spi.EmbeddedAgentLauncher}) and
 * is on the controller's class path at run time only (Maven {@code runtime} scope), so a
 * rename inside the agent can no longer break the controller's build, and nothing in the
 * controller can reach agent internals.
 */
public interface EmbeddedAgentLauncher {
  /**
   * What an embedded agent needs: where the controller listens, where the agent keeps its
   * state, its lab, and the folder it scans as the system root.
   *
   * @param controllerTarget host:port of the controller's gRPC endpoint
   * @param plaintext true for the demo's loopback-only plaintext gRPC
   */
  record Settings(String controllerTarget, boolean plaintext, Path stateDir, String lab, Path scanRoot) {
    public Settings {
      requireNonNull(controllerTarget, "controllerTarget");
      requireNonNull(stateDir, "stateDir");
      requireNonNull(lab, "lab");
      requireNonNull(scanRoot, "scanRoot");
    }
  }

  /** A running embedded agent. */
  interface EmbeddedAgent extends AutoCloseable {
    /** The host id it enrolled (or will enrol) under. */
    String hostId();

    /**
     * Starts a full scan unless one is running; the future completes with the report it
     * spooled for delivery. Empty when a scan was already running.
     */
    Optional<CompletableFuture<Report>> fullScanNow(String trigger);

    /** Waits until every spooled report was acknowledged by the controller, or the timeout passes. */
    boolean awaitDelivered(Duration timeout) throws InterruptedException;

    @Override
    void close();
  }

  /** Starts an agent with {@code settings}, its times from {@code clock}. */
  EmbeddedAgent start(Settings settings, Clock clock);

  /** The launcher on the class path, if an agent jar is there. */
  static Optional<EmbeddedAgentLauncher> find() {
    return ServiceLoader.load(EmbeddedAgentLauncher.class).findFirst();
  }
}
