package io.labscan.agent.cli;

import io.labscan.agent.AgentEnrolment;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.transport.Enrolment;
import io.labscan.agent.transport.EnrolmentException;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.enrolment.EnrolmentToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-agent enroll}: trades an enrolment token for this machine's certificate. */
@Command(name = "enroll", mixinStandardHelpOptions = true,
    description = {
      "Enrols this machine with the controller: generates a key (kept in the state folder, mode 0600),",
      "sends a certificate request with the token to the enrolment port, checks that the controller's CA",
      "matches the fingerprint in the token, and stores the certificate. 'run' then uses mutual TLS."
    })
final class EnrollCommand implements Callable<Integer> {
  @Mixin ConfigOptions configOptions;

  @Option(names = "--token", paramLabel = "TOKEN",
      description = "Token printed by 'labscan-controller enroll-token' (overrides 'token:' in the config). "
          + "Prefer --token-file on shared machines: the command line is visible to other users.")
  String token;

  @Option(names = "--token-file", paramLabel = "FILE", description = "Read the token from FILE.")
  Path tokenFile;

  @Option(names = "--controller", paramLabel = "HOST:PORT",
      description = "Controller address (overrides the config file), or several separated by commas; enrolment "
          + "uses the first one's next port unless --enroll.")
  String controller;

  @Option(names = "--enroll", paramLabel = "HOST:PORT",
      description = "Enrolment port address (default: 'enroll:' in the config, else the controller's port + 1).")
  String enroll;

  @Option(names = "--force", description = "Enrol again even if this machine already holds a certificate.")
  boolean force;

  @Override
  public Integer call() {
    AgentConfig config;
    Optional<EnrolmentToken> chosen;
    try {
      config = configOptions.load();
      if (controller != null) {
        config = config.withController(RunCommand.controllers(controller), config.insecure());
      }
      if (enroll != null) {
        config = config.withEnroll(enroll);
      }
      chosen = tokenFromOptions().or(config::token);
    } catch (ConfigLoader.ConfigException | IllegalArgumentException | IOException e) {
      System.err.println("labscan-agent enroll: " + e.getMessage());
      return AgentMain.EXIT_BAD_INPUT;
    }
    if (chosen.isEmpty()) {
      System.err.println("labscan-agent enroll: no token; pass --token or --token-file, or set 'token:' in the "
          + "config file.");
      return AgentMain.EXIT_BAD_INPUT;
    }
    Optional<String> target = config.enrolmentTarget();
    if (target.isEmpty()) {
      System.err.println("labscan-agent enroll: no enrolment address; set 'controller: HOST:PORT' (or 'enroll:') "
          + "in the config file, or pass --controller.");
      return AgentMain.EXIT_BAD_INPUT;
    }
    if (AgentCredentials.present(config.stateDir()) && !force) {
      System.err.println("labscan-agent enroll: this machine is already enrolled (" + config.stateDir()
          .resolve(AgentCredentials.CERTIFICATE_FILE) + "); pass --force to enrol again.");
      return AgentMain.EXIT_BAD_INPUT;
    }
    try {
      Enrolment.Result result = AgentEnrolment.once(config, chosen.get(), target.get());
      System.out.println("Enrolled as host " + result.credentials().hostId().orElse("?")
          + (result.lab().isEmpty() ? "" : " in lab '" + result.lab() + "'") + "; certificate valid until "
          + result.credentials().certificate().getNotAfter().toInstant() + ".");
      return 0;
    } catch (EnrolmentException e) {
      System.err.println("labscan-agent enroll: " + e.getMessage());
      return 1;
    }
  }

  private Optional<EnrolmentToken> tokenFromOptions() throws IOException {
    if (token != null && tokenFile != null) {
      throw new IllegalArgumentException("pass --token or --token-file, not both");
    }
    if (token != null) {
      return Optional.of(EnrolmentToken.parse(token));
    }
    if (tokenFile != null) {
      if (Files.size(tokenFile) > 4096) {
        throw new IllegalArgumentException("--token-file " + tokenFile + " is too large to hold a token");
      }
      return Optional.of(EnrolmentToken.parse(Files.readString(tokenFile, StandardCharsets.US_ASCII)));
    }
    return Optional.empty();
  }
}
