package io.labscan.controller.cli;

import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.web.Dashboard;
import io.labscan.controller.web.DashboardOptions;
import io.labscan.controller.web.TriageRunner;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller serve}: the long-running controller. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Runs the controller: gRPC for agents, HTTP (JSON API) for people. Stops on SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--db", required = true, paramLabel = "FILE",
      description = "Controller database (SQLite; created and migrated as needed).")
  Path db;

  @Option(names = "--grpc-port", defaultValue = "7443", description = "gRPC port for agents (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDR",
      description = "Address gRPC listens on (default: ${DEFAULT-VALUE}, every interface: agents connect from the network).")
  String bind;

  @Option(names = "--http-bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "Address HTTP listens on (default: ${DEFAULT-VALUE}: loopback only).")
  String httpBind;

  @Option(names = "--insecure",
      description = "Plaintext gRPC without TLS. Required in this build; for demos and closed test networks.")
  boolean insecure;

  @Mixin DashboardOptions dashboard;

  @Override
  public Integer call() throws InterruptedException {
    if (!insecure) {
      System.err.println("labscan-controller serve: this build speaks only plaintext gRPC; pass --insecure "
          + "to use it knowingly (mTLS enrolment is on its way).");
      return ControllerMain.EXIT_BAD_INPUT;
    }
    System.err.println("WARNING: plaintext gRPC: agents' reports travel unencrypted and unauthenticated.");
    ControllerRuntime controller = ControllerRuntime.start(
        new ControllerRuntime.Options(db, bind, grpcPort, true), Clock.systemUTC());
    Dashboard http;
    try {
      http = Dashboard.start(httpBind, httpPort, dashboard, controller, TriageRunner.unavailable(),
          Clock.systemUTC(), System.err);
    } catch (RuntimeException e) {
      controller.close();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      http.close();
      controller.close();
    }, "labscan-controller-shutdown"));
    System.err.printf("labscan-controller: gRPC on %s:%d, HTTP on http://%s:%d/, database %s%n",
        bind, controller.grpcPort(), httpBind, http.port(), db.toAbsolutePath());
    controller.awaitTermination();
    return 0;
  }
}
