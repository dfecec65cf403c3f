package io.labscan.controller.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.labscan.agent.AgentRuntime;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.controller.ControllerRuntime;
import io.labscan.controller.cli.ControllerMain;
import io.labscan.proto.v1.ArtifactFinding;
import io.labscan.proto.v1.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator pushes a campus rule set; connected agents use it at their next scan. */
class PushedRulesTest {
  @TempDir Path dir;
  private ControllerRuntime controller;
  private AgentRuntime agent;

  private static final String CAMPUS_RULES = """
      format: 1
      version: "campus-1"
      description: Tools the campus bans, on top of nothing else
      folders:
        tools: ["opt/tools"]
      files:
        - id: campus.banned-tool
          in: tools
          name: "badtool.exe"
          detail: A mass-mailing tool the campus bans
      """;

  @BeforeEach
  void start() throws Exception {
    controller = ControllerRuntime.start(
        new ControllerRuntime.Options(dir.resolve("c.db"), "127.0.0.1", 0, true), Clock.systemUTC());
    Path root = dir.resolve("root");
    Files.createDirectories(root.resolve("opt/tools"));
    Files.writeString(root.resolve("opt/tools/badtool.exe"), "harmless bytes");
    agent = AgentRuntime.start(AgentConfig.defaults()
        .withController("127.0.0.1:" + controller.grpcPort(), true)
        .withStateDir(dir.resolve("agent"))
        .withScanRoot(root), Clock.systemUTC());
    await().atMost(Duration.ofSeconds(20)).until(() -> controller.commands().connectedHosts().contains(agent.hostId()));
  }

  @AfterEach
  void stop() {
    agent.close();
    controller.close();
  }

  private int rules(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "rules";
    all[1] = "--db";
    all[2] = dir.resolve("c.db").toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return ControllerMain.commandLine().execute(all);
  }

  @Test
  void aPushedRuleSetReachesTheAgentAndDrivesItsNextScan() throws Exception {
    Path file = dir.resolve("campus-rules.yaml");
    Files.writeString(file, CAMPUS_RULES);

    assertThat(rules("--set", file.toString())).isZero();

    await().atMost(Duration.ofSeconds(20)).until(() -> "campus-rules.yaml".equals(agent.policy().getArtifactRulesName()));
    Report report = agent.scanNow(ScanPlan.full("test")).orElseThrow().join();
    assertThat(report.getFindingsList()).extracting(ArtifactFinding::getRuleId).contains("campus.banned-tool");
    assertThat(report.getFindingsList()).filteredOn(f -> f.getRuleId().equals("campus.banned-tool"))
        .singleElement().satisfies(f -> {
          assertThat(f.getPath()).isEqualTo("opt/tools/badtool.exe");
          assertThat(f.getRuleSetVersion()).isEqualTo("campus-1");
        });
  }

  @Test
  void aRuleSetThatDoesNotParseIsRefusedAndNothingChanges() throws Exception {
    long before = controller.policies().current().getVersion();
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "format: 1\nfiles:\n  - id: x\n    in: nowhere\n");

    assertThat(rules("--set", file.toString())).isEqualTo(2);

    await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
        .until(() -> controller.policies().current().getVersion() == before);
    assertThat(controller.policies().current().getArtifactRules().isEmpty()).isTrue();
  }

  @Test
  void clearingGoesBackToTheBuiltInRulesAndBumpsTheVersion() throws Exception {
    Path file = dir.resolve("campus-rules.yaml");
    Files.writeString(file, CAMPUS_RULES);
    rules("--set", file.toString());
    assertThat(rules("--clear")).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> agent.policy().getVersion() == 3
        && agent.policy().getArtifactRules().isEmpty());
  }
}
