package io.labscan.agent.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.standard.StandardChecks;
import io.labscan.agent.checks.artifacts.ActiveRuleSet;
import io.labscan.contract.rules.RuleParseException;
import io.labscan.agent.checks.artifacts.ScanProgress;
import io.labscan.contract.rules.Signatures;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.agent.platform.services.PlatformServices;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.Spool;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-agent scan}: one scan, written to a file (air-gapped machines, tests). */
@Command(name = "scan", mixinStandardHelpOptions = true,
    description = {
      "Runs every check once and writes the report as protobuf JSON.",
      "Import the file on the controller with 'labscan-controller import'."
    })
final class ScanCommand implements Callable<Integer> {
  @Mixin ConfigOptions configOptions;

  @Option(names = "--root", paramLabel = "DIR",
      description = "Scan DIR as if it were the system root (e.g. a Windows disk mounted at /mnt/c).")
  Path root;

  @Option(names = "--signatures", paramLabel = "DIR",
      description = "Also match the ClamAV databases (.hdb, .hsb, .ndb) in DIR.")
  Path signatures;

  @Option(names = "--policy", paramLabel = "FILE",
      description = {"Scan with the fleet policy exported on the controller ('labscan-controller policy --export FILE'):",
          "its pushed artifact rules and its fleet key, so the report carries harvested-address digests",
          "triage can match. Without it: the built-in rules and no digests."})
  Path policyFile;

  /** A policy with a large pushed rule set is a few MiB; anything larger is not one. */
  static final long MAX_POLICY_BYTES = 32L << 20;

  @Option(names = "--out", required = true, paramLabel = "FILE",
      description = "Where to write the report JSON ('-' for standard output).")
  String out;

  @Override
  public Integer call() throws IOException {
    AgentConfig config;
    try {
      config = configOptions.load();
    } catch (ConfigLoader.ConfigException e) {
      System.err.println("labscan-agent scan: " + e.getMessage());
      return AgentMain.EXIT_BAD_INPUT;
    }
    if (root != null) {
      if (!Files.isDirectory(root)) {
        System.err.println("labscan-agent scan: --root " + root + " is not a directory.");
        return AgentMain.EXIT_BAD_INPUT;
      }
      config = config.withScanRoot(root.toAbsolutePath().normalize());
    }
    ActiveRuleSet rules;
    try {
      rules = new ActiveRuleSet(signatures == null ? Signatures.empty() : Signatures.loadFolder(signatures));
    } catch (RuleParseException | IOException e) {
      System.err.println("labscan-agent scan: --signatures " + signatures + ": " + e.getMessage());
      return AgentMain.EXIT_BAD_INPUT;
    }
    Policy policy = PolicyDefaults.defaults();
    if (policyFile != null) {
      Optional<Policy> exported = readPolicy(policyFile);
      if (exported.isEmpty()) {
        return AgentMain.EXIT_BAD_INPUT;
      }
      policy = exported.get();
      Optional<String> refused = rules.apply(policy);
      if (refused.isPresent()) {
        System.err.println("labscan-agent scan: --policy " + policyFile + ": " + refused.get());
        return AgentMain.EXIT_BAD_INPUT;
      }
    }
    String hostId = HostIdentity.loadOrCreate(config.stateDir());
    Report report;
    try (Spool spool = Spool.open(config.stateDir())) {
      Scanner scanner = new Scanner(StandardChecks.create(hostId, config.lab(), ScanProgress.forConsole(), rules,
          PlatformServices.current().scanSources()),
          spool::nextSequence);
      boolean live = StandardChecks.isLiveRoot(config.scanRoot());
      report = scanner.scan(new ScanContext(config.scanRoot(), live, policy,
          config.stateDir(), Clock.systemUTC(), ScanPlan.full("cli")));
    }
    String json = JsonFormat.printer().print(report) + "\n";
    if ("-".equals(out)) {
      System.out.print(json);
    } else {
      Path target = Path.of(out).toAbsolutePath();
      Path tmp = Files.createTempFile(target.getParent(), ".labscan-report", ".tmp");
      Files.writeString(tmp, json, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.err.println("Report " + report.getReportId() + " written to " + target);
    }
    return 0;
  }

  /** The exported policy, or empty after saying on standard error what is wrong with the file. */
  private static Optional<Policy> readPolicy(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        System.err.println("labscan-agent scan: --policy " + file + " is not a file.");
        return Optional.empty();
      }
      if (Files.size(file) > MAX_POLICY_BYTES) {
        System.err.println("labscan-agent scan: --policy " + file + " is larger than " + (MAX_POLICY_BYTES >> 20)
            + " MiB: not an exported policy.");
        return Optional.empty();
      }
      Policy.Builder b = Policy.newBuilder();
      JsonFormat.parser().merge(Files.readString(file, StandardCharsets.UTF_8), b);
      if (b.getVersion() <= 0) {
        System.err.println("labscan-agent scan: --policy " + file + " has no policy version: not a policy "
            + "exported by 'labscan-controller policy --export'.");
        return Optional.empty();
      }
      return Optional.of(PolicyDefaults.withDefaults(b.build()));
    } catch (InvalidProtocolBufferException e) {
      System.err.println("labscan-agent scan: --policy " + file + " is not a policy in protobuf JSON: "
          + e.getMessage());
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      System.err.println("labscan-agent scan: cannot read --policy " + file + ": " + e.getMessage());
      return Optional.empty();
    }
  }
}
