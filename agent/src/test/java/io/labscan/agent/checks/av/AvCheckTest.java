package io.labscan.agent.checks.av;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.labscan.agent.checks.Check;
import io.labscan.agent.checks.ScanContext;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.checks.Scanner;
import io.labscan.agent.checks.standard.AvProviderFactory;
import io.labscan.agent.checks.standard.StandardChecks;
import io.labscan.agent.registry.RegistryReader;
import io.labscan.agent.checks.av.windows.RecordedRegistry;
import io.labscan.agent.checks.av.windows.RecordedWmi;
import io.labscan.contract.policy.PolicyDefaults;
import io.labscan.proto.v1.AvState;
import io.labscan.proto.v1.AvStatus;
import io.labscan.proto.v1.CheckOutcome;
import io.labscan.proto.v1.Policy;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvCheckTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  private static final String DEFENDER_KEY =
      "SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates";

  @TempDir Path root;
  @TempDir Path state;

  private ScanContext context(boolean live, Policy policy) {
    return new ScanContext(root, live, policy, state, Clock.fixed(NOW, ZoneOffset.UTC),
        ScanPlan.full("test"));
  }

  private ScanContext offline() {
    return context(false, PolicyDefaults.defaults());
  }

  /** A daily.cvd header as freshclam writes it, padded to 512 bytes. */
  private void clamAvDaily(Instant built) throws IOException {
    // The text time is only for people; the check reads the Unix seconds at the end.
    String header = "ClamAV-VDB:01 Jan 2026 00-00 +0000:27470:2077145:90:md5:dsig:raynman:"
        + built.getEpochSecond();
    byte[] bytes = new byte[1024];
    Arrays.fill(bytes, (byte) ' ');
    byte[] text = header.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(text, 0, bytes, 0, text.length);
    Path dir = Files.createDirectories(root.resolve("var/lib/clamav"));
    Files.write(dir.resolve("daily.cvd"), bytes);
  }

  @Test
  void machineWithoutAnyProductGetsExactlyOneMissingStatus() {
    List<AvStatus> statuses = new AvCheck(AvProviderFactory.filesOnly()).collect(offline());

    assertThat(statuses).hasSize(1);
    AvStatus missing = statuses.get(0);
    assertThat(missing.getState()).isEqualTo(AvState.AV_STATE_MISSING);
    assertThat(missing.getProvider()).isEqualTo("none");
    assertThat(missing.getReason())
        .isEqualTo("no antivirus product recognised (looked for: clamav, xprotect)");
  }

  @Test
  void statusesReachTheReportAndTheCheckSucceeds() throws IOException {
    clamAvDaily(NOW.minus(Duration.ofHours(6)));

    Report report = new Scanner(List.of(new AvCheck(AvProviderFactory.filesOnly())), () -> 1L)
        .scan(offline());

    assertThat(report.getAvList()).extracting(AvStatus::getProvider, AvStatus::getState)
        .containsExactly(tuple("clamav", AvState.AV_STATE_FRESH));
    assertThat(report.getScan().getChecksList())
        .singleElement()
        .satisfies(r -> {
          assertThat(r.getCheck()).isEqualTo("av");
          assertThat(r.getOutcome()).isEqualTo(CheckOutcome.CHECK_OUTCOME_OK);
        });
  }

  @Test
  void policyAgeLimitDecidesFreshness() throws IOException {
    clamAvDaily(NOW.minus(Duration.ofDays(7)));
    Policy tenDays = PolicyDefaults.defaults().toBuilder()
        .setAvMaxAgeSeconds(Duration.ofDays(10).toSeconds()).build();

    AvStatus status = new AvCheck(AvProviderFactory.filesOnly())
        .collect(context(false, tenDays)).get(0);

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_FRESH);
    assertThat(status.getReason()).contains("(7 days ago; limit 10 days)");
  }

  @Test
  void policyWithoutAgeLimitGetsTheDefaultThreeDays() throws IOException {
    clamAvDaily(NOW.minus(Duration.ofDays(4)));

    AvStatus status = new AvCheck(AvProviderFactory.filesOnly())
        .collect(context(false, Policy.getDefaultInstance())).get(0);

    assertThat(status.getState()).isEqualTo(AvState.AV_STATE_STALE);
    assertThat(status.getReason()).contains("limit 3 days");
  }

  @Test
  void windowsSourcesAreNotConsultedForAnOfflineRoot() {
    RecordedRegistry registry = new RecordedRegistry().key(DEFENDER_KEY, Map.of(
        "SignaturesLastUpdated", RecordedRegistry.fileTime(NOW)));

    List<AvStatus> statuses = new AvCheck(
        AvProviderFactory.withWindowsSources(registry, new RecordedWmi())).collect(offline());

    assertThat(statuses).extracting(AvStatus::getState).containsExactly(AvState.AV_STATE_MISSING);
  }

  @Test
  void defenderIsReportedOnceAlongsideAThirdPartyProduct() {
    RecordedRegistry registry = new RecordedRegistry().key(DEFENDER_KEY, Map.of(
        "SignaturesLastUpdated", RecordedRegistry.fileTime(NOW.minus(Duration.ofHours(1)))));
    RecordedWmi wmi = new RecordedWmi()
        .instance("ROOT\\Microsoft\\Windows\\Defender", "MSFT_MpComputerStatus", Map.of(
            "AntivirusEnabled", false, "RealTimeProtectionEnabled", false))
        .instance("ROOT\\SecurityCenter2", "AntiVirusProduct", Map.of(
            "displayName", "Windows Defender", "productState", 393472,
            "pathToSignedProductExe", "windowsdefender://"))
        .instance("ROOT\\SecurityCenter2", "AntiVirusProduct", Map.of(
            "displayName", "Sophos Anti-Virus", "productState", 331776));

    List<AvStatus> statuses = new AvCheck(AvProviderFactory.withWindowsSources(registry, wmi))
        .collect(context(true, PolicyDefaults.defaults()));

    assertThat(statuses).extracting(AvStatus::getProvider, AvStatus::getProduct, AvStatus::getState)
        .containsExactly(
            tuple("defender", "Microsoft Defender Antivirus",
                AvState.AV_STATE_DISABLED),
            tuple("securitycenter", "Sophos Anti-Virus",
                AvState.AV_STATE_FRESH));
  }

  @Test
  void brokenProviderDoesNotHideTheOthers() throws IOException {
    clamAvDaily(NOW.minus(Duration.ofHours(6)));
    RegistryReader broken = RecordedRegistry.broken("registry handle closed");

    List<AvStatus> statuses = new AvCheck(
        AvProviderFactory.withWindowsSources(broken, new RecordedWmi()))
        .collect(context(true, PolicyDefaults.defaults()));

    assertThat(statuses).extracting(AvStatus::getProvider).containsExactly("clamav");
  }

  @Test
  void brokenProviderIsNamedWhenNothingElseIsFound() {
    RegistryReader broken = RecordedRegistry.broken("registry handle closed");

    AvStatus missing = new AvCheck(
        AvProviderFactory.withWindowsSources(broken, new RecordedWmi()))
        .collect(context(true, PolicyDefaults.defaults())).get(0);

    assertThat(missing.getState()).isEqualTo(AvState.AV_STATE_MISSING);
    assertThat(missing.getReason()).isEqualTo("no antivirus product recognised (looked for:"
        + " defender, symantec, securitycenter, clamav, xprotect); could not check:"
        + " defender failed: IllegalStateException registry handle closed;"
        + " symantec failed: IllegalStateException registry handle closed");
  }

  @Test
  void egressOnlyScansLeaveTheCheckOut() {
    Check check = new AvCheck(AvProviderFactory.filesOnly());

    assertThat(check.appliesTo(new ScanPlan(ScanKind.SCAN_KIND_EGRESS, "timer"))).isFalse();
    assertThat(check.appliesTo(new ScanPlan(ScanKind.SCAN_KIND_QUICK, "timer"))).isTrue();
  }

  @Test
  void standardChecksIncludeTheAvCheck() {
    assertThat(StandardChecks.create("host-1", "lab-a"))
        .extracting(Check::name)
        .contains("av");
  }
}
