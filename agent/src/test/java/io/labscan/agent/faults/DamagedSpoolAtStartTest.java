package io.labscan.agent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.util.Timestamps;
import io.labscan.agent.AgentRuntime;
import io.labscan.agent.inventory.AddressWatch;
import io.labscan.agent.checks.ScanPlan;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.transport.Spool;
import io.labscan.proto.v1.HostInventory;
import io.labscan.proto.v1.Report;
import io.labscan.proto.v1.ScanKind;
import io.labscan.proto.v1.ScanSummary;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 7: "an infected machine is hostile". A damaged spool file — scribbled over, or cut
 * short by a crash or a full disk — must not keep the agent from starting (a service that
 * exits at start is restarted by systemd and exits again: a crash loop that silences the
 * machine). The real {@link AgentRuntime} moves it aside with a warning and runs on with a
 * fresh spool, and the next start leaves that fresh spool alone.
 *
 * <p>The controller address is a closed port on loopback: nothing here needs a controller.
 */
class DamagedSpoolAtStartTest {
  @TempDir Path stateDir;
  @TempDir Path scanRoot;
  private final ListAppender<ILoggingEvent> spoolLog = new ListAppender<>();

  @BeforeEach
  void listenToTheSpool() {
    spoolLog.start();
    ((Logger) LoggerFactory.getLogger(Spool.class)).addAppender(spoolLog);
  }

  @AfterEach
  void stopListening() {
    ((Logger) LoggerFactory.getLogger(Spool.class)).detachAppender(spoolLog);
  }

  private AgentConfig config() {
    return AgentConfig.defaults().withStateDir(stateDir).withScanRoot(scanRoot).withController("127.0.0.1:1", true);
  }

  /**
   * The agent under test, with an address watch that cannot read the interfaces: its first look
   * would otherwise spool an inventory report about a second after start, racing the scan's.
   */
  private AgentRuntime agent() {
    return AgentRuntime.builder(config(), Clock.systemUTC())
        .addresses(new AddressWatch(() -> {
          throw new IllegalStateException("no interfaces in this test");
        }, java.time.Duration.ofSeconds(15)))
        .start();
  }

  private Path spoolFile() {
    return stateDir.resolve(Spool.FILE_NAME);
  }

  private List<Path> movedAside() throws IOException {
    try (Stream<Path> files = Files.list(stateDir)) {
      return files.filter(p -> p.getFileName().toString().startsWith(Spool.FILE_NAME + ".corrupt-")).toList();
    }
  }

  private List<String> warnings() {
    return spoolLog.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private static Report report(long sequence) {
    return Report.newBuilder()
        .setReportId(UUID.randomUUID().toString())
        .setSequence(sequence)
        .setCreated(Timestamps.fromMillis(System.currentTimeMillis()))
        .setInventory(HostInventory.newBuilder().setHostId(UUID.randomUUID().toString()).setHostname("lab-pc-07"))
        .setScan(ScanSummary.newBuilder().setKind(ScanKind.SCAN_KIND_QUICK).setTrigger("schedule")
            .setRoot("/" + "x".repeat(2000)))
        .build();
  }

  @Test
  void anAgentWhoseSpoolIsNotADatabaseStartsSpoolsAfreshAndSaysWhereTheOldFileWent() throws Exception {
    Files.writeString(spoolFile(), "MZ\u0090\u0000 not a database: the worm wrote here\n".repeat(200),
        StandardCharsets.ISO_8859_1);

    try (AgentRuntime agent = agent()) {
      assertThat(agent.spooledReports()).isZero();
      agent.scanNow(ScanPlan.full("test")).orElseThrow().get(120, TimeUnit.SECONDS);
      assertThat(agent.spooledReports()).isEqualTo(1);
    }

    assertThat(movedAside()).singleElement().satisfies(aside ->
        assertThat(Files.readString(aside, StandardCharsets.ISO_8859_1)).startsWith("MZ"));
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w)
        .contains(spoolFile().toString()).contains("is damaged").contains(movedAside().get(0).toString()));
  }

  @Test
  void theNextStartKeepsTheFreshSpoolAndWhatWasSpooledInIt() throws Exception {
    Files.write(spoolFile(), new byte[64 * 1024]);
    try (AgentRuntime agent = agent()) {
      agent.scanNow(ScanPlan.full("test")).orElseThrow().get(120, TimeUnit.SECONDS);
    }

    try (AgentRuntime restarted = agent()) {
      assertThat(restarted.spooledReports()).isEqualTo(1);
    }

    assertThat(movedAside()).hasSize(1);
    assertThat(warnings()).hasSize(1);
  }

  @Test
  void aSpoolCutShortMidFileIsMovedAsideAndTheAgentRuns() throws Exception {
    try (Spool spool = Spool.open(stateDir)) {
      for (int i = 0; i < 60; i++) {
        spool.add(report(spool.nextSequence()));
      }
    }
    try (RandomAccessFile file = new RandomAccessFile(spoolFile().toFile(), "rw")) {
      file.setLength(file.length() / 2);
    }

    try (AgentRuntime agent = agent()) {
      assertThat(agent.spooledReports()).isZero();
    }

    assertThat(movedAside()).hasSize(1);
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).contains("is damaged"));
  }
}
