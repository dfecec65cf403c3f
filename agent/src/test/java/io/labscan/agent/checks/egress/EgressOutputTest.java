package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.labscan.contract.egress.EgressReports;
import io.labscan.contract.text.DurationText;
import io.labscan.proto.v1.EgressDestination;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.SmtpEgressWindow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What leaves the watcher: the CLI's table and JSON, the egress report, typed durations, passwd. */
class EgressOutputTest {
  private static final SmtpEgressWindow HOSTILE = SmtpEgressWindow.newBuilder()
      .setWindowStart(Timestamps.fromMillis(0)).setWindowEnd(Timestamps.fromMillis(60_000))
      .setFirstSeen(Timestamps.fromMillis(1_000)).setLastSeen(Timestamps.fromMillis(2_000))
      .setPid(4242).setProcessName("wink\u001b[2J\u202e").setProcessPath("/tmp/x\nFAKE LINE").setUser("ann")
      .setConnections(3).setDistinctDestinations(1).setSource("poll")
      .addDestinations(EgressDestination.newBuilder().setIp("192.0.2.25").setPort(25).setConnections(3))
      .build();

  @Test
  void tableShowsControlAndBidiCharactersAsQuestionMarks() {
    String table = EgressWindowFormat.table(List.of(HOSTILE));

    assertThat(table).doesNotContain("\u001b").doesNotContain("\u202e").contains("wink?[2J?");
    assertThat(table).contains("/tmp/x?FAKE LINE");
    assertThat(table.lines()).hasSize(3); // header, window, destinations: no injected line
  }

  @Test
  void tableListsPidProcessUserCountsAndDestinations() {
    String table = EgressWindowFormat.table(List.of(HOSTILE));

    assertThat(table).contains("4242").contains("ann").contains("192.0.2.25:25 x3").contains("NO");
  }

  @Test
  void jsonRoundTripsEveryField() throws Exception {
    String json = EgressWindowFormat.json(List.of(HOSTILE));
    String first = json.lines().filter(l -> l.startsWith("  {")).findFirst().orElseThrow().strip();

    SmtpEgressWindow.Builder back = SmtpEgressWindow.newBuilder();
    JsonFormat.parser().merge(first.endsWith(",") ? first.substring(0, first.length() - 1) : first, back);
    assertThat(back.build()).isEqualTo(HOSTILE);
    assertThat(json).doesNotContain("\u001b");
  }

  @Test
  void emptyResultIsAnEmptyJsonArray() {
    assertThat(EgressWindowFormat.json(List.of()).strip()).isEqualTo("[]");
  }

  @Test
  void egressReportCarriesInventoryAndWindowsUnderItsOwnKind() {
    HostInventory inv = HostInventory.newBuilder().setHostId("h-1").setElevated(false).build();

    Report r = EgressReports.report(inv, List.of(HOSTILE), 17, 3, Instant.ofEpochMilli(61_000));

    assertThat(r.getScan().getKind()).isEqualTo(ScanKind.SCAN_KIND_EGRESS);
    assertThat(r.getScan().getTrigger()).isEqualTo("egress");
    assertThat(r.getInventory().getHostId()).isEqualTo("h-1");
    assertThat(r.getEgressList()).containsExactly(HOSTILE);
    assertThat(r.getSequence()).isEqualTo(17);
    assertThat(r.getPolicyVersion()).isEqualTo(3);
    assertThat(Timestamps.toMillis(r.getScan().getStarted())).isZero();
  }

  @Test
  void durationsAcceptMillisecondsSecondsMinutesAndHours() {
    assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationText.parse("60s")).isEqualTo(Duration.ofSeconds(60));
    assertThat(DurationText.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationText.parse("1h")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void durationWithoutUnitIsRefusedWithTheAcceptedForms() {
    assertThatThrownBy(() -> DurationText.parse("60")).hasMessageContaining("500ms, 60s, 2m");
    assertThatThrownBy(() -> DurationText.parse("-5s")).isInstanceOf(IllegalArgumentException.class);
  }

}
