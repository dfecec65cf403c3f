package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.testsupport.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code labscan-controller demo}: this machine scanned over real gRPC, and (unless
 * {@code --no-story}) the simulated Klez lab loaded through the import path, with the answer
 * to Janet's complaint printed.
 */
class DemoCommandTest {
  @TempDir Path dir;
  /** One demo run with the story, shared by the tests that only read what it printed and stored. */
  @TempDir static Path storyDir;
  private static CliRun storyRun;

  private CliRun demo(String... extra) throws Exception {
    return demo(dir, extra);
  }

  private static CliRun demo(Path dir, String... extra) throws Exception {
    Path root = dir.resolve("root");
    Files.createDirectories(root);
    String[] base = {"demo", "--exit-after-scan", "--grpc-port", "0", "--http-port", "0",
        "--data-dir", dir.resolve("data").toString(), "--root", root.toString()};
    String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, args, base.length, extra.length);
    CliRun r = run(args);
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    return r;
  }

  @BeforeAll
  static void runTheDemoWithTheStoryOnce() throws Exception {
    storyRun = demo(storyDir);
  }

  private static String db(Path dir) {
    return dir.resolve("data").resolve("labscan.db").toString();
  }

  /** hostname → the host's JSON from {@code hosts --format json}. */
  private static Map<String, JsonNode> hostsJson(Path dir) throws Exception {
    CliRun r = run("hosts", "--db", db(dir), "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    Map<String, JsonNode> byName = new HashMap<>();
    new ObjectMapper().readTree(r.out()).forEach(h -> byName.put(h.get("hostname").asText(), h));
    return byName;
  }

  @Test
  void withNoStoryTheDemoScansThisMachineAndShowsNoDemoHosts() throws Exception {
    CliRun r = demo("--no-story");

    assertThat(r.out()).contains("HOSTNAME").contains("demo").contains("1 host").doesNotContain("[demo]")
        .doesNotContain("complaint");
    assertThat(dir.resolve("data").resolve("labscan.db")).exists();
    assertThat(hostsJson(dir).values()).hasSize(1).allSatisfy(h -> assertThat(h.get("demo").asBoolean()).isFalse());
  }

  @Test
  void theDemoPrintsThatLindasPcSentJanetsComplaintAndHaroldsPcIsClean() {
    assertThat(storyRun.out())
        .contains("Sent by lab-pc-07 (10.20.3.17) at ").contains("confidence high")
        .contains("The From: address harold@example.edu is forged: its owner's machine lab-pc-12 is CLEAN")
        .contains("Origin: 10.20.3.17")
        .containsPattern("1\\. lab-pc-07 \\([0-9a-f-]{36}\\)  confidence 0\\.9");
  }

  @Test
  void theDemoStillScansThisMachineBesideTheSimulatedLab() {
    assertThat(storyRun.out()).contains("Scan finished").contains("Verdict for this machine")
        .contains("14 hosts (13 marked [demo]");
  }

  @Test
  void simulatedHostsAreMarkedAsDemoDataInTheCliAndThisMachineIsNot() throws Exception {
    Map<String, JsonNode> hosts = hostsJson(storyDir);
    assertThat(hosts).containsKeys("lab-pc-07", "lab-pc-12", "mx");
    long demoHosts = hosts.values().stream().filter(h -> h.get("demo").asBoolean()).count();
    assertThat(demoHosts).isEqualTo(13);
    assertThat(hosts.values().stream().filter(h -> h.get("lab").asText().equals("demo")))
        .singleElement().satisfies(h -> assertThat(h.get("demo").asBoolean()).isFalse());
    CliRun host = run("host", "--db", db(storyDir), "lab-pc-07");
    assertThat(host.out()).contains("[demo]").contains("Demo data:").contains("INFECTED");
  }

  @Test
  void onlyLindasPcIsOnTheInfectedList() throws Exception {
    CliRun r = run("infected", "--db", db(storyDir), "--format", "json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode listed = new ObjectMapper().readTree(r.out());
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("hostname").asText()).isEqualTo("lab-pc-07");
    assertThat(listed.get(0).get("verdict").asText()).isEqualTo("INFECTED");
    assertThat(listed.get(0).get("demo").asBoolean()).isTrue();
  }

  @Test
  void theSavedComplaintTracesToLindasPcWithTheTriageCommand() throws Exception {
    Path complaint = storyDir.resolve("data").resolve("demo-story").resolve("complaint-janet-from-harold.eml");
    CliRun r = run("triage", "--db", db(storyDir), "--trust", DemoStory.MX_IP, "--format", "json", "--no-record",
        complaint.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(r.out());
    assertThat(result.get("candidates").get(0).get("hostname").asText()).isEqualTo("lab-pc-07");
    assertThat(result.get("claimedSenderHost").get("hostname").asText()).isEqualTo("lab-pc-12");
    assertThat(result.get("claimedSenderHost").get("verdict").asText()).isEqualTo("CLEAN");
  }

  @Test
  void aSecondRunOnTheSameDataDirKeepsOneCopyOfTheStory() throws Exception {
    demo();
    CliRun second = demo();

    assertThat(second.out()).contains("already in this database").contains("Sent by lab-pc-07");
    assertThat(hostsJson(dir).values().stream().filter(h -> h.get("demo").asBoolean()).count()).isEqualTo(13);
  }
}
