package io.labscan.agent.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.registry.HiveBuilder.Key;
import io.labscan.testsupport.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hive reader against another implementation: hivex (libhivex-bin, Red Hat's hive library,
 * installed by .ci/run) reads the test hives as Windows would lay them out, and the reader
 * reads what hivex writes into a hive: its own cell layout, name hashes and lists.
 */
class HivexInteropTest {
  @TempDir Path dir;

  @BeforeAll
  static void hivexInstalled() {
    Requirements.command("hivexsh", "libhivex-bin");
  }

  private static String run(Path input, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (input != null) {
      pb.redirectInput(input.toFile());
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + " said: " + out).isZero();
    return out.strip();
  }

  @Test
  void hivexReadsTheTestHivesAsWellFormed() throws Exception {
    Key root = new Key("ROOT");
    root.key("Microsoft\\Windows\\CurrentVersion\\Run").string("Wink", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe");
    Path file = new HiveBuilder().write(root, dir.resolve("SOFTWARE"));

    assertThat(run(null, "hivexget", file.toString(), "\\Microsoft\\Windows\\CurrentVersion\\Run", "Wink"))
        .isEqualTo("C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe");
  }

  @Test
  void whatHivexWritesIntoAHiveIsRead() throws Exception {
    Key root = new Key("ROOT");
    root.key("Microsoft");
    Path file = new HiveBuilder().write(root, dir.resolve("SOFTWARE"));
    List<String> script = new ArrayList<>(List.of("cd Microsoft", "add Windows", "cd Windows",
        "add CurrentVersion", "cd CurrentVersion", "add Run", "cd Run", "setval 3",
        "Wink", "string:C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe",
        "Count", "dword:0x2a",
        "Path", "expandstring:%SystemRoot%\\x.exe",
        "cd \\", "add Services", "cd Services"));
    // Enough subkeys that hivex has to grow its lists.
    for (int i = 0; i < 600; i++) {
      script.add("add svc" + i);
    }
    script.add("commit");
    Path commands = Files.write(dir.resolve("script.txt"), script);
    run(commands, "hivexsh", "-w", file.toString());

    RegfHive hive = RegfHive.open(file);

    RegfHive.Key run = hive.find(hive.root(), "microsoft\\windows\\currentversion\\run").orElseThrow();
    assertThat(hive.values(run))
        .containsEntry("Wink", "C:\\WINDOWS\\SYSTEM32\\WINKabcd.exe")
        .containsEntry("Count", "42")
        .containsEntry("Path", "%SystemRoot%\\x.exe");
    RegfHive.Key services = hive.find(hive.root(), "Services").orElseThrow();
    assertThat(hive.subkeys(services)).hasSize(600);
    assertThat(hive.find(services, "SVC599")).isPresent();
  }
}
