package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.controller.TestReports;
import io.labscan.controller.campaign.AgentCommands;
import io.labscan.controller.campaign.CampaignService;
import io.labscan.controller.campaign.RunStatus;
import io.labscan.controller.campaign.TargetState;
import io.labscan.controller.store.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scan-now} records a "full scan now" run that the running controller delivers. */
class ScanNowCommandTest {
  @TempDir Path dir;

  private Path db() {
    return dir.resolve("c.db");
  }

  private int scanNow(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "scan-now";
    all[1] = "--db";
    all[2] = db().toString();
    System.arraycopy(args, 0, all, 3, args.length);
    return ControllerMain.commandLine().execute(all);
  }

  private List<RunStatus> runs() {
    try (Storage store = Storage.open(db());
        CampaignService campaigns = new CampaignService(store, AgentCommands.none(), lab -> List.of(),
            Clock.systemUTC())) {
      return campaigns.list().stream().flatMap(c -> campaigns.runs(c.campaignId(), 5).stream()).toList();
    }
  }

  @Test
  void everyKnownHostGetsAWaitingFullScanCommand() {
    try (Storage store = Storage.open(db())) {
      Instant at = Instant.now();
      store.ingest(TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", at, 1, "10.20.3.7"), at, "test").join();
      store.ingest(TestReports.fullScan(TestReports.newHostId(), "lab-pc-12", at, 1, "10.20.3.12"), at, "test").join();
    }

    assertThat(scanNow()).isZero();

    assertThat(runs()).singleElement().satisfies(run -> {
      assertThat(run.firedBy()).isEqualTo("command line");
      assertThat(run.targets()).extracting(RunStatus.Target::hostname).containsExactlyInAnyOrder("lab-pc-07", "lab-pc-12");
      assertThat(run.targets()).allSatisfy(t -> assertThat(t.state()).isEqualTo(TargetState.OFFLINE));
    });
  }

  @Test
  void aLabWithoutHostsIsBadInputAndRecordsNothing() {
    try (Storage store = Storage.open(db())) {
      Instant at = Instant.now();
      store.ingest(TestReports.fullScan(TestReports.newHostId(), "lab-pc-07", at, 1, "10.20.3.7"), at, "test").join();
    }

    assertThat(scanNow("--lab", "no-such-lab")).isEqualTo(2);

    assertThat(runs()).isEmpty();
  }

  @Test
  void aMissingDatabaseIsBadInput() {
    assertThat(scanNow()).isEqualTo(2);
    assertThat(db()).doesNotExist();
  }
}
