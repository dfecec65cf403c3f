package io.labscan.controller.cli;

import io.labscan.contract.doctor.DoctorReport;
import io.labscan.controller.doctor.ControllerDoctor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import io.labscan.controller.store.DatabaseUrl;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller doctor}: what this installation gets wrong, each with its fix. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = {
      "Checks what a new installation gets wrong: the database (SQLite: writable, size; PostgreSQL: reachable,",
      "server version, TLS, schema version, writable), the CA and server certificate",
      "dates, the ports serve would use (free, or held by a running controller), agents that enrolled but never",
      "reported; warns when no host is a mail server or no --trust is given. Takes serve's flags and defaults.",
      "Prints each problem with the command that fixes it. Changes nothing."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:no problems (warnings are advice)",
      "1:problems found",
      "2:bad input (a --db that is no usable file path or PostgreSQL URL, a password in it, ...)"
    })
final class DoctorCommand implements Callable<Integer> {
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  @Mixin DatabaseOptions db;

  @Option(names = "--pki-dir", paramLabel = "DIR",
      description = "serve's --pki-dir (default: pki/ beside a SQLite database; required with a postgresql:// --db).")
  @Nullable Path pkiDir;

  @Option(names = "--grpc-port", defaultValue = "7443", description = "serve's --grpc-port (default: ${DEFAULT-VALUE}).")
  int grpcPort;

  @Option(names = "--enroll-port", paramLabel = "N", description = "serve's --enroll-port (default: the gRPC port + 1).")
  Integer enrollPort;

  @Option(names = "--http-port", defaultValue = "8080", description = "serve's --http-port (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "ADDR",
      description = "serve's --bind (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--http-bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
      description = "serve's --http-bind (default: ${DEFAULT-VALUE}).")
  String httpBind;

  @Option(names = "--insecure", description = "serve runs with --insecure (no CA, no enrolment port).")
  boolean insecure;

  @Option(names = "--trust", paramLabel = "HOST_OR_CIDR", description = "serve's --trust entries (repeatable).")
  List<String> trust = new ArrayList<>();

  @Override
  public Integer call() {
    ControllerDoctor.Settings settings;
    try {
      DatabaseUrl url = db.url();
      settings = new ControllerDoctor.Settings(url, db.credentials(url), Optional.ofNullable(pkiDir), grpcPort,
          Optional.ofNullable(enrollPort), httpPort, bind, httpBind, insecure, trust);
    } catch (IllegalArgumentException e) {
      System.err.println("labscan-controller doctor: " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    return DoctorReport.print(new ControllerDoctor(Clock.systemUTC(), PROBE_TIMEOUT).examine(settings), System.out);
  }
}
