package io.labscan.agent.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanSummary;
import io.labscan.testsupport.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's size and age bounds, its eviction count, and recovery from a damaged file. */
class SpoolBoundsTest {
  private static final Instant T0 = Instant.parse("2024-03-01T02:00:00Z");
  private static final Duration FOURTEEN_DAYS = Duration.ofDays(14);

  @TempDir Path dir;
  private final MutableClock clock = new MutableClock(T0);

  /** A scan report of a little over 1 KiB. */
  private static Report scanReport(long seq) {
    return Report.newBuilder()
        .setReportId(UUID.randomUUID().toString())
        .setSequence(seq)
        .setInventory(HostInventory.newBuilder().setHostname("lab-pc-07").setOsVersion("x".repeat(1000)))
        .setScan(ScanSummary.newBuilder().setScanId(UUID.randomUUID().toString()))
        .build();
  }

  private Spool open(long maxBytes) {
    return Spool.open(dir, new Spool.Limits(maxBytes, FOURTEEN_DAYS), clock);
  }

  @Test
  void theOldestReportsAreEvictedWhenTheSizeBoundIsExceeded() {
    long reportSize = scanReport(1).getSerializedSize();
    try (Spool spool = open(3 * reportSize + reportSize / 2)) {
      List<Report> added = Stream.of(1, 2, 3, 4, 5).map(seq -> spool.add(scanReport(seq))).toList();

      assertThat(spool.size()).isEqualTo(3);
      assertThat(spool.oldest().orElseThrow().getReportId()).isEqualTo(added.get(2).getReportId());
      assertThat(spool.evictedTotal()).isEqualTo(2);
      assertThat(spool.bytes()).isLessThanOrEqualTo(spool.limits().maxBytes());
    }
  }

  @Test
  void reportsOlderThanTheAgeBoundAreEvictedAndCounted() {
    try (Spool spool = open(Long.MAX_VALUE)) {
      Report old = spool.add(scanReport(1));
      clock.advance(FOURTEEN_DAYS.plusHours(1));
      Report recent = spool.add(scanReport(2));

      assertThat(spool.oldest(10)).extracting(Report::getReportId).containsExactly(recent.getReportId());
      assertThat(spool.oldest(10)).extracting(Report::getReportId).doesNotContain(old.getReportId());
      assertThat(spool.evictedTotal()).isEqualTo(1);
    }
  }

  @Test
  void reportsThatAgedWhileTheAgentWasOffAreEvictedWhenTheSpoolOpens() {
    try (Spool spool = open(Long.MAX_VALUE)) {
      spool.add(scanReport(1));
    }
    clock.advance(Duration.ofDays(20));
    try (Spool spool = open(Long.MAX_VALUE)) {
      assertThat(spool.size()).isZero();
      assertThat(spool.evictedTotal()).isEqualTo(1);
    }
  }

  @Test
  void theNextScanReportCarriesTheEvictionCountToTheController() {
    long reportSize = scanReport(1).getSerializedSize();
    try (Spool spool = open(reportSize * 2 + reportSize / 2)) {
      spool.add(scanReport(1));
      spool.add(scanReport(2));
      spool.add(scanReport(3)); // evicts report 1

      Report next = spool.add(scanReport(4)); // carries it, and evicts report 2

      assertThat(next.getScan().getSkippedMap()).containsEntry(Spool.EVICTED_KEY, 1L);
      assertThat(spool.oldest(10)).extracting(Report::getReportId).contains(next.getReportId());
      assertThat(spool.oldest(10).get(1).getScan().getSkippedMap()).containsEntry(Spool.EVICTED_KEY, 1L);
      assertThat(spool.evictedUnreported()).isEqualTo(1);
    }
  }

  @Test
  void aReportWithoutAScanSummaryLeavesTheCountForTheNextScan() {
    try (Spool spool = open(Long.MAX_VALUE)) {
      spool.add(scanReport(1));
      clock.advance(FOURTEEN_DAYS.plusHours(1));
      spool.add(scanReport(2));

      Report egressOnly = spool.add(Report.newBuilder().setReportId(UUID.randomUUID().toString())
          .setSequence(3).build());

      assertThat(egressOnly.hasScan()).isFalse();
      assertThat(spool.evictedUnreported()).isEqualTo(1);
    }
  }

  @Test
  void anEvictedReportHandsBackTheCountItCarried() {
    try (Spool spool = open(Long.MAX_VALUE)) {
      spool.add(scanReport(1));
      clock.advance(FOURTEEN_DAYS.plusHours(1));
      spool.add(scanReport(2)); // evicts 1
      Report carrier = spool.add(scanReport(3));
      assertThat(carrier.getScan().getSkippedMap()).containsEntry(Spool.EVICTED_KEY, 1L);

      clock.advance(FOURTEEN_DAYS.plusHours(1));
      spool.add(Report.newBuilder().setReportId(UUID.randomUUID().toString()).setSequence(4).build());

      // reports 2 and 3 evicted now, plus the one report 3 was carrying
      assertThat(spool.evictedUnreported()).isEqualTo(3);
      assertThat(spool.evictedTotal()).isEqualTo(3);
    }
  }

  @Test
  void theEvictionCountSurvivesARestart() {
    try (Spool spool = open(Long.MAX_VALUE)) {
      spool.add(scanReport(1));
      clock.advance(FOURTEEN_DAYS.plusHours(1));
      spool.add(scanReport(2));
    }
    try (Spool spool = open(Long.MAX_VALUE)) {
      assertThat(spool.evictedTotal()).isEqualTo(1);
      assertThat(spool.add(scanReport(3)).getScan().getSkippedMap()).containsEntry(Spool.EVICTED_KEY, 1L);
    }
  }

  @Test
  void aFileThatIsNotADatabaseIsMovedAsideAndAFreshSpoolWorks() throws IOException {
    Path file = dir.resolve(Spool.FILE_NAME);
    Files.writeString(file, "this is not a database, it is a note someone saved here\n".repeat(100),
        StandardCharsets.US_ASCII);

    try (Spool spool = Spool.open(dir, Spool.Limits.defaults(), clock)) {
      Report r = spool.add(scanReport(spool.nextSequence()));
      assertThat(spool.oldest()).contains(r);
    }

    Path aside = dir.resolve(Spool.FILE_NAME + ".corrupt-20240301T020000Z");
    assertThat(aside).exists();
    assertThat(Files.readString(aside, StandardCharsets.US_ASCII)).startsWith("this is not a database");
  }

  @Test
  void sequenceNumbersKeepGrowingAfterADamagedSpoolWasReplaced() throws IOException {
    long before;
    try (Spool spool = Spool.open(dir, Spool.Limits.defaults(), clock)) {
      before = spool.nextSequence();
    }
    Files.write(dir.resolve(Spool.FILE_NAME), new byte[8192]);
    Files.deleteIfExists(dir.resolve(Spool.FILE_NAME + "-wal"));

    try (Spool spool = Spool.open(dir, Spool.Limits.defaults(), clock)) {
      assertThat(spool.nextSequence()).isGreaterThan(before).isGreaterThan(T0.toEpochMilli());
    }
  }

  @Test
  void aDatabaseFailingItsIntegrityCheckIsMovedAside() throws IOException {
    try (Spool spool = Spool.open(dir, Spool.Limits.defaults(), clock)) {
      for (int i = 1; i <= 40; i++) {
        spool.add(scanReport(spool.nextSequence()));
      }
    }
    Path file = dir.resolve(Spool.FILE_NAME);
    assertThat(Files.exists(dir.resolve(Spool.FILE_NAME + "-wal")) && Files.size(dir.resolve(Spool.FILE_NAME + "-wal")) > 0)
        .as("closing checkpoints the WAL into the main file").isFalse();
    // Scribble over the b-tree pages after the header page: the file still opens as SQLite.
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] junk = new byte[(int) Math.min(raf.length() - 4096, 16384)];
      java.util.Arrays.fill(junk, (byte) 0x5a);
      raf.seek(4096);
      raf.write(junk);
    }

    try (Spool spool = Spool.open(dir, Spool.Limits.defaults(), clock)) {
      assertThat(spool.size()).isZero();
      spool.add(scanReport(spool.nextSequence()));
      assertThat(spool.size()).isEqualTo(1);
    }
    assertThat(dir.resolve(Spool.FILE_NAME + ".corrupt-20240301T020000Z")).exists();
  }
}
