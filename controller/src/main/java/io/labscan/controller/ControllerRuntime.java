package io.labscan.controller;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.labscan.controller.grpc.AgentServiceImpl;
import io.labscan.controller.grpc.CommandHub;
import io.labscan.controller.grpc.GrpcServers;
import io.labscan.controller.grpc.PolicyProvider;
import io.labscan.controller.store.SqliteStore;
import io.labscan.controller.ingest.ReportIngestor;
import io.labscan.controller.store.Store;
import io.labscan.controller.verdict.VerdictPolicy;
import io.labscan.controller.verdict.VerdictService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A running controller: store, gRPC service, command streams. */
public final class ControllerRuntime implements AutoCloseable {
  private final SqliteStore store;
  private final CommandHub commands;
  private final PolicyProvider policies;
  private final VerdictService verdicts;
  private final Server grpc;
  private final ReportIngestor ingestor;

  private ControllerRuntime(SqliteStore store, CommandHub commands, PolicyProvider policies,
      VerdictService verdicts, Server grpc, ReportIngestor ingestor) {
    this.ingestor = ingestor;
    this.store = store;
    this.verdicts = verdicts;
    this.commands = commands;
    this.policies = policies;
    this.grpc = grpc;
  }

  /** Settings for {@link #start}. */
  public record Options(Path database, String grpcBind, int grpcPort, boolean insecure) {
    public Options {
      requireNonNull(database, "database");
      requireNonNull(grpcBind, "grpcBind");
      if (grpcPort < 0 || grpcPort > 65535) {
        throw new IllegalArgumentException("gRPC port " + grpcPort + " is not between 0 and 65535");
      }
    }
  }

  public static ControllerRuntime start(Options options, Clock clock) {
    requireNonNull(options, "options");
    requireNonNull(clock, "clock");
    SqliteStore store = SqliteStore.open(options.database());
    VerdictService verdicts = new VerdictService(store, VerdictPolicy.defaults(), clock);
    try {
      CommandHub commands = new CommandHub();
      PolicyProvider policies = new PolicyProvider(store);
      ReportIngestor ingestor = new ReportIngestor(store, verdicts, clock);
      Server grpc = GrpcServers.start(options.grpcBind(), options.grpcPort(), options.insecure(),
          List.of(new AgentServiceImpl(store, ingestor, policies, commands, clock)));
      verdicts.startSweeping();
      return new ControllerRuntime(store, commands, policies, verdicts, grpc, ingestor);
    } catch (RuntimeException e) {
      verdicts.close();
      store.close();
      throw e;
    }
  }

  public SqliteStore store() {
    return store;
  }

  public ReportIngestor ingestor() {
    return ingestor;
  }

  public VerdictService verdicts() {
    return verdicts;
  }

  public CommandHub commands() {
    return commands;
  }

  public PolicyProvider policies() {
    return policies;
  }

  /** The port gRPC listens on (useful when started on port 0). */
  public int grpcPort() {
    return grpc.getPort();
  }

  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  @Override
  public void close() {
    commands.closeAll();
    grpc.shutdown();
    try {
      if (!grpc.awaitTermination(10, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      grpc.shutdownNow();
    }
    verdicts.close();
    store.close();
  }
}
