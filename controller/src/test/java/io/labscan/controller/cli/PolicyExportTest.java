package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.labscan.contract.harvest.AddressDigest;
import io.labscan.agent.cli.AgentMain;
import io.labscan.controller.store.Storage;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.testsupport.TestWiring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An air-gapped machine scans with the fleet policy exported from the controller, so its report
 * carries harvested-address digests under the fleet key, as an enrolled agent's would.
 */
class PolicyExportTest {
  @TempDir Path dir;
  private byte[] fleetKey;

  @BeforeEach
  void controllerDatabase() {
    try (Storage store = Storage.open(dir.resolve("c.db"))) {
      fleetKey = TestWiring.policies(store, Clock.systemUTC()).fleetKey();
    }
  }

  private int export(Path file) {
    return ControllerMain.commandLine().execute("policy", "--db", dir.resolve("c.db").toString(),
        "--export", file.toString());
  }

  @Test
  void theExportedPolicyHoldsTheFleetKeyAndOnlyItsOwnerCanReadIt() throws Exception {
    Path file = dir.resolve("fleet-policy.json");

    assertThat(export(file)).isZero();

    Policy.Builder policy = Policy.newBuilder();
    JsonFormat.parser().merge(Files.readString(file), policy);
    assertThat(policy.getHarvestKey()).isEqualTo(ByteString.copyFrom(fleetKey));
    assertThat(policy.getVersion()).isPositive();
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
  }

  @Test
  void anAirGappedScanWithTheExportedPolicyReportsDigestsUnderTheFleetKey() throws Exception {
    Path file = dir.resolve("fleet-policy.json");
    export(file);
    Path disk = dir.resolve("disk");
    Files.createDirectories(disk.resolve("home/harold"));
    Files.writeString(disk.resolve("home/harold/contacts.vcf"),
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Harold\r\nEMAIL;TYPE=INTERNET:Harold@Lab.Example.EDU\r\nEND:VCARD\r\n",
        StandardCharsets.UTF_8);
    Path out = dir.resolve("report.json");

    int code = AgentMain.commandLine().execute("scan", "--root", disk.toString(), "--policy", file.toString(),
        "--state-dir", dir.resolve("agent-state").toString(), "--out", out.toString());

    assertThat(code).isZero();
    Report.Builder report = Report.newBuilder();
    JsonFormat.parser().merge(Files.readString(out), report);
    assertThat(report.getHarvest().getKeyId()).isEqualTo(policyOf(file).getHarvestKeyId());
    assertThat(report.getHarvest().getDigestsList())
        .contains(ByteString.copyFrom(AddressDigest.digest(fleetKey, "harold@lab.example.edu")));
    assertThat(report.getScan().getSkippedMap()).doesNotContainKey("harvest-no-fleet-key");
  }

  @Test
  void aPolicyFileThatIsNotAPolicyIsBadInput() throws Exception {
    Path file = Files.writeString(dir.resolve("not-policy.json"), "{\"harvestKey\": 12, ");

    int code = AgentMain.commandLine().execute("scan", "--root", dir.toString(), "--policy", file.toString(),
        "--state-dir", dir.resolve("agent-state").toString(), "--out", dir.resolve("r.json").toString());

    assertThat(code).isEqualTo(2);
    assertThat(dir.resolve("r.json")).doesNotExist();
  }

  @Test
  void aPolicyWhosePushedRulesDoNotParseIsBadInput() throws Exception {
    Path file = Files.writeString(dir.resolve("policy.json"), JsonFormat.printer().print(Policy.newBuilder()
        .setVersion(7).setArtifactRules(ByteString.copyFromUtf8("fileNames: [unclosed")).build()));

    int code = AgentMain.commandLine().execute("scan", "--root", dir.toString(), "--policy", file.toString(),
        "--state-dir", dir.resolve("agent-state").toString(), "--out", dir.resolve("r.json").toString());

    assertThat(code).isEqualTo(2);
  }

  private static Policy policyOf(Path file) throws Exception {
    Policy.Builder b = Policy.newBuilder();
    JsonFormat.parser().merge(Files.readString(file), b);
    return b.build();
  }
}
