package io.labscan.agent.checks.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConsoleScanProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private long now;
  private final ConsoleScanProgress console = new ConsoleScanProgress(
      new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> now);

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private void at(long millis) {
    now = TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void showsAtMostFourUpdatesASecond() {
    at(0);
    console.started("/mnt/c");
    int before = output().length();
    for (int ms = 10; ms <= 1000; ms += 10) {
      at(ms);
      console.progress(ms, 0, "WINDOWS");
    }

    long updates = output().substring(before).chars().filter(c -> c == '\r').count();
    assertThat(updates).isEqualTo(4);
  }

  @Test
  void statusLineShowsFilesBytesRateAndFolder() {
    at(0);
    console.started("/mnt/c");
    at(2000);
    console.progress(5000, 3L << 20, "WINDOWS/SYSTEM32");

    assertThat(output()).contains("5,000 files").contains("3.0 MiB read").contains("2,500 files/s")
        .contains("WINDOWS/SYSTEM32");
  }

  @Test
  void controlCharactersInFolderNamesNeverReachTheTerminal() {
    at(0);
    console.started("/mnt/c");
    at(1000);
    console.progress(1, 0, "Users/x\u001b]0;pwned\u0007\u001b[2J/\u202Eexe.txt");

    String shown = output();
    assertThat(shown).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202E");
    assertThat(shown).contains("Users/x?]0;pwned??[2J/?exe.txt");
  }

  @Test
  void longFolderNamesAreCutFromTheFrontToFitOneLine() {
    at(0);
    console.started("/");
    at(1000);
    console.progress(1, 0, "a/".repeat(200) + "deepest");

    String line = output().substring(output().lastIndexOf('\r') + 1);
    assertThat(line.length()).isLessThanOrEqualTo(ConsoleScanProgress.WIDTH);
    assertThat(line).endsWith("deepest").contains("...");
  }

  @Test
  void summaryNamesTotalsFindingsAndSkipReasons() {
    at(0);
    console.started("/mnt/c");
    console.finished(new ScanTotals(12345, 1536, 3, 7, 2,
        Map.of("too-large", 3L, "registry-rules-offline", 2L), Duration.ofMillis(3400)));

    assertThat(output()).contains("Artifact scan: 12,345 files in 3.4 s, 1.5 KiB read (3 files read, 7 from cache), 2 findings")
        .contains("skipped: registry-rules-offline 2, too-large 3")
        .endsWith(System.lineSeparator());
  }

  @Test
  void nothingIsShownWithoutATerminal() {
    ScanProgress none = ScanProgress.none();
    none.started("/");
    none.progress(1, 1, "x");
    none.finished(new ScanTotals(1, 1, 1, 0, 0, Map.of(), Duration.ZERO));

    // System.console() is null under the test runner, so forConsole() is the silent listener.
    assertThat(ScanProgress.forConsole()).isNotInstanceOf(ConsoleScanProgress.class);
  }
}
