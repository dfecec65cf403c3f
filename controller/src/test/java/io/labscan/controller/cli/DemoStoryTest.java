package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Timestamps;
import io.labscan.controller.ingest.ReportFiles;
import io.labscan.controller.ingest.ReportValidator;
import io.labscan.controller.triage.ComplaintParser;
import io.labscan.controller.triage.Origin;
import io.labscan.controller.triage.ParsedComplaint;
import io.labscan.controller.triage.TrustConfig;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated lab of the demo, built against a fixed clock: valid, ordered, and telling the story. */
class DemoStoryTest {
  @TempDir Path dir;

  private static final Instant NOW = Instant.parse("2026-12-07T14:05:37Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private final DemoStory story = new DemoStory(new byte[32], CLOCK);

  @Test
  void everyReportPassesTheControllersValidation() throws Exception {
    ReportValidator validator = new ReportValidator(CLOCK);
    for (Report r : story.reports()) {
      validator.validate(r);
    }
    assertThat(story.reports()).hasSizeGreaterThan(20);
  }

  @Test
  void reportsComeInCreationOrderWithEachHostsSequenceRising() {
    Instant previous = Instant.EPOCH;
    Map<String, Long> lastSequence = new HashMap<>();
    for (Report r : story.reports()) {
      Instant created = Instant.ofEpochMilli(Timestamps.toMillis(r.getCreated()));
      assertThat(created).isAfterOrEqualTo(previous).isBeforeOrEqualTo(NOW);
      previous = created;
      Long last = lastSequence.put(r.getInventory().getHostId(), r.getSequence());
      assertThat(r.getSequence()).isGreaterThan(last == null ? 0 : last);
    }
  }

  @Test
  void theComplaintsTrustedOriginIsLindasOldAddressWhenTheWormSent() throws Exception {
    ParsedComplaint parsed = ComplaintParser.parse(story.complaint(), TrustConfig.of(story.trustedMtas()));

    Origin origin = parsed.origin().orElseThrow();
    assertThat(origin.ip()).isEqualTo(DemoStory.LINDAS_OLD_IP);
    assertThat(origin.time()).isEqualTo(story.wormTime());
    assertThat(parsed.claimedSender()).hasValue(DemoStory.CLAIMED_SENDER);
  }

  @Test
  void lindasLatestFullScanFindsKlezAndHaroldsFindsNothing() {
    Report linda = latestFullScan(DemoStory.INFECTED_HOST);
    Report harold = latestFullScan(DemoStory.HAROLDS_HOST);
    assertThat(linda.getFindingsList()).extracting(f -> f.getRuleId())
        .contains("klez.system.wink-exe", "klez.registry.run-wink", "mail.ms01-020");
    assertThat(harold.getFindingsList()).isEmpty();
  }

  @Test
  void afterTheWormDhcpGivesLindasOldAddressToHaroldsPc() {
    Report last = null;
    for (Report r : story.reports()) {
      if (r.getInventory().getHostname().equals(DemoStory.HAROLDS_HOST)) {
        last = r;
      }
    }
    assertThat(last.getInventory().getInterfaces(0).getIpv4List()).containsExactly(DemoStory.LINDAS_OLD_IP);
    assertThat(Instant.ofEpochMilli(Timestamps.toMillis(last.getCreated()))).isAfter(story.wormTime());
  }

  @Test
  void theReportFilesReadBackAsTheSameReportsThroughTheImportReader() throws Exception {
    List<Path> files = story.writeReportFiles(dir);
    ReportValidator validator = new ReportValidator(CLOCK);
    assertThat(files).hasSameSizeAs(story.reports());
    for (int i = 0; i < files.size(); i++) {
      assertThat(ReportFiles.read(files.get(i), validator)).isEqualTo(story.reports().get(i));
    }
    assertThat(DemoStory.complaintFile(dir)).hasBinaryContent(story.complaint());
  }

  @Test
  void hostIdsAreTheSameForEveryLoad() {
    DemoStory later = new DemoStory(new byte[32], Clock.fixed(NOW.plusSeconds(86_400), ZoneOffset.UTC));
    assertThat(later.hostIds()).isEqualTo(story.hostIds());
    assertThat(story.hostIds()).hasSize(13);
  }

  private Report latestFullScan(String hostname) {
    Report found = null;
    for (Report r : story.reports()) {
      if (r.getInventory().getHostname().equals(hostname) && r.getScan().getKind() == ScanKind.SCAN_KIND_FULL) {
        found = r;
      }
    }
    return found;
  }
}
