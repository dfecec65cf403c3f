package io.labscan.agent.selfwatch.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.labscan.agent.platform.Platform;
import io.labscan.agent.selfwatch.SelfUsage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-watch's /proc parsers on samples recorded from a Java 17 JVM (a 64 MiB heap holding
 * 20 MiB, 21 threads, 1.42 s of CPU), from a kernel without the RssAnon/RssFile split (3.10,
 * before 4.5), and from a process that renamed itself with spaces and parentheses.
 */
class ProcSelfSamplesTest {
  static String sample(String name) throws IOException {
    try (InputStream in = ProcSelfSamplesTest.class.getResourceAsStream("/selfwatch/linux/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  @Test
  void statusGivesTheResidentSizeAndItsAnonymousAndFileBackedPartsInBytes() throws IOException {
    ProcSelfStatus s = ProcSelfStatus.parse(sample("status-jvm-java17.txt"));

    assertThat(s.rssBytes()).isEqualTo(98_692L * 1024);
    assertThat(s.anonBytes()).hasValue(67_512L * 1024);
    assertThat(s.fileBytes()).hasValue(31_180L * 1024);
    assertThat(s.threads()).hasValue(21);
  }

  @Test
  void aKernelWithoutTheRssSplitLeavesBothPartsUnknownRatherThanGuessed() throws IOException {
    ProcSelfStatus s = ProcSelfStatus.parse(sample("status-kernel-3.10-no-rss-split.txt"));

    assertThat(s.rssBytes()).isEqualTo(98_692L * 1024);
    assertThat(s.anonBytes()).isEmpty();
    assertThat(s.fileBytes()).isEmpty();
  }

  @Test
  void sharedMemoryCountsWithTheFileBackedPart() {
    ProcSelfStatus s = ProcSelfStatus.parse("VmRSS:\t  4000 kB\nRssAnon:\t 1000 kB\nRssFile:\t 2000 kB\n"
        + "RssShmem:\t 1000 kB\nThreads:\t3\n");

    assertThat(s.fileBytes()).hasValue(3000L * 1024);
  }

  @Test
  void aStatusWithoutVmRssIsRefusedWithTheReason() {
    // A kernel thread's status has no Vm lines.
    assertThatThrownBy(() -> ProcSelfStatus.parse("Name:\tkworker/0:1\nState:\tI (idle)\nThreads:\t1\n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no VmRSS");
  }

  @Test
  void aSizeThatIsNotKilobytesIsRefused() {
    assertThatThrownBy(() -> ProcSelfStatus.parse("VmRSS:\t-12 kB\n")).hasMessageContaining("VmRSS");
    assertThatThrownBy(() -> ProcSelfStatus.parse("VmRSS:\t12 MB\n")).hasMessageContaining("VmRSS");
  }

  @Test
  void statGivesUserPlusSystemTicksAndTheThreadCount() throws IOException {
    ProcSelfStat s = ProcSelfStat.parse(sample("stat-jvm-java17.txt"));

    assertThat(s.ticks()).isEqualTo(127 + 15);
    assertThat(s.threads()).isEqualTo(21);
    assertThat(s.cpuTime(100)).isEqualTo(Duration.ofMillis(1420));
  }

  @Test
  void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() throws IOException {
    ProcSelfStat s = ProcSelfStat.parse(sample("stat-comm-with-parens.txt"));

    assertThat(s.ticks()).isEqualTo(142);
    assertThat(s.threads()).isEqualTo(21);
  }

  @Test
  void aTruncatedStatLineIsRefused() {
    assertThatThrownBy(() -> ProcSelfStat.parse("13085 (java) S 13081 13081 3878 0 -1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fields");
  }

  @Test
  void theLinuxMeterCombinesBothFilesOfAProcessFolder(@TempDir Path proc) throws IOException {
    Files.writeString(proc.resolve("status"), sample("status-jvm-java17.txt"));
    Files.writeString(proc.resolve("stat"), sample("stat-jvm-java17.txt"));

    SelfUsage usage = LinuxSelfUsage.at(proc, 100).measure();

    assertThat(usage.rssBytes()).isEqualTo(98_692L * 1024);
    assertThat(usage.anonBytes()).hasValue(67_512L * 1024);
    assertThat(usage.cpuTime()).isEqualTo(Duration.ofMillis(1420));
    assertThat(usage.threads()).isEqualTo(21);
  }

  @Test
  void theLinuxMeterSaysWhichFolderItCouldNotRead(@TempDir Path proc) {
    assertThatThrownBy(() -> LinuxSelfUsage.at(proc.resolve("gone"), 100).measure())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("gone");
  }

  @Test
  void theMeterOfThisJvmReadsARealResidentSize() {
    assumeTrue(Platform.current().isLinux(), "reads /proc/self");
    SelfUsage usage = LinuxSelfUsage.system().measure();

    assertThat(usage.rssBytes()).isGreaterThan(8L * 1024 * 1024);
    assertThat(usage.threads()).isGreaterThan(1);
  }
}
