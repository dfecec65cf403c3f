package io.labscan.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.contract.rules.RegistryKey;
import io.labscan.agent.registry.HiveBuilder.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hive whose newest changes are only in its transaction logs, as on a disk pulled from a
 * machine that was switched off hard: the offline registry applies the logs first.
 */
class HiveLogsTest {
  private static final String RUN = "Microsoft\\Windows\\CurrentVersion\\Run";
  private static final RegistryKey MACHINE_RUN = RegistryKey.parse("HKLM\\SOFTWARE\\" + RUN);
  private static final int FIRST = HiveBuilder.SECONDARY_SEQUENCE;

  @TempDir Path dir;
  private Path config;
  private byte[] before;
  private byte[] withWink;
  private byte[] withWinkAndService;

  @BeforeEach
  void hiveImages() throws Exception {
    config = Files.createDirectories(dir.resolve("Windows/System32/config"));
    before = new HiveBuilder().build(software(false, false));
    withWink = new HiveBuilder().build(software(true, false));
    withWinkAndService = new HiveBuilder().build(software(true, true));
  }

  /** SOFTWARE before and after the worm wrote its Run value (and, later, a second one). */
  private static Key software(boolean wink, boolean second) {
    Key root = new Key("ROOT");
    Key run = root.key(RUN).string("SecurityHealth", "%windir%\\system32\\SecurityHealthSystray.exe");
    if (wink) {
      run.string("WinkAbcd", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe");
    }
    if (second) {
      run.string("WinkEfgh", "C:\\WINDOWS\\SYSTEM32\\WINKefgh.exe");
    }
    // Enough other keys that the hive spans several 4 KiB pages.
    for (int i = 0; i < 200; i++) {
      root.key("Classes\\.ext" + i).string("", "file" + i);
    }
    return root;
  }

  private void primary(boolean dirty) throws Exception {
    HiveBuilder builder = new HiveBuilder();
    Files.write(config.resolve("SOFTWARE"), (dirty ? builder.dirty() : builder).build(software(false, false)));
  }

  private Map<String, String> run(OfflineRegistry registry) throws Exception {
    return registry.values(MACHINE_RUN);
  }

  @Test
  void aRunValueWrittenOnlyToTheLogIsFound() throws Exception {
    primary(true);
    new HiveLogBuilder().entry(FIRST, before, withWink).write(config.resolve("SOFTWARE.LOG1"));
    OfflineRegistry registry = OfflineRegistry.under(dir).orElseThrow();

    assertThat(run(registry)).containsKeys("SecurityHealth", "WinkAbcd");
    assertThat(registry.notes()).containsExactly("recovered:SOFTWARE");
  }

  @Test
  void entriesSplitOverBothLogsAreAppliedInSequence() throws Exception {
    primary(true);
    new HiveLogBuilder().entry(FIRST, before, withWink).write(config.resolve("SOFTWARE.LOG1"));
    new HiveLogBuilder().entry(FIRST + 1, withWink, withWinkAndService).write(config.resolve("SOFTWARE.LOG2"));

    assertThat(run(OfflineRegistry.under(dir).orElseThrow())).containsKeys("WinkAbcd", "WinkEfgh");
  }

  @Test
  void anEntryWithAWrongHashIsNotAppliedAndTheHiveIsReadAsItIs() throws Exception {
    primary(true);
    new HiveLogBuilder().entry(FIRST, before, withWink).damageLastEntry().write(config.resolve("SOFTWARE.LOG1"));
    OfflineRegistry registry = OfflineRegistry.under(dir).orElseThrow();

    assertThat(run(registry)).containsOnlyKeys("SecurityHealth");
    assertThat(registry.notes()).containsExactly("dirty:SOFTWARE");
  }

  @Test
  void recoveryStopsAtAGapInTheSequence() throws Exception {
    primary(true);
    new HiveLogBuilder().entry(FIRST, before, withWink).entry(FIRST + 2, withWink, withWinkAndService)
        .write(config.resolve("SOFTWARE.LOG1"));

    assertThat(run(OfflineRegistry.under(dir).orElseThrow())).containsKey("WinkAbcd").doesNotContainKey("WinkEfgh");
  }

  @Test
  void entriesOlderThanTheHiveAreNotApplied() throws Exception {
    primary(true);
    new HiveLogBuilder().entry(FIRST - 1, before, withWink).write(config.resolve("SOFTWARE.LOG1"));

    assertThat(run(OfflineRegistry.under(dir).orElseThrow())).doesNotContainKey("WinkAbcd");
  }

  @Test
  void aCleanHiveIsReadWithoutItsLogs() throws Exception {
    primary(false);
    new HiveLogBuilder().entry(FIRST, before, withWink).write(config.resolve("SOFTWARE.LOG1"));
    OfflineRegistry registry = OfflineRegistry.under(dir).orElseThrow();

    assertThat(run(registry)).doesNotContainKey("WinkAbcd");
    assertThat(registry.notes()).isEmpty();
  }

  @Test
  void theHiveFileItselfIsNeverWritten() throws Exception {
    primary(true);
    byte[] onDisk = Files.readAllBytes(config.resolve("SOFTWARE"));
    new HiveLogBuilder().entry(FIRST, before, withWink).write(config.resolve("SOFTWARE.LOG1"));

    run(OfflineRegistry.under(dir).orElseThrow());

    assertThat(Files.readAllBytes(config.resolve("SOFTWARE"))).isEqualTo(onDisk);
  }
}
