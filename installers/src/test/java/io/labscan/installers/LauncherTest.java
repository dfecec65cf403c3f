package io.labscan.installers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Unix launcher (unix/labscan-launcher), installed as in the package, started against a
 * stand-in {@code java} that prints the arguments it was given, one a line.
 */
class LauncherTest {
  @TempDir Path root;
  private Path state;
  private Path jdk;

  @BeforeEach
  void installLikeThePackage() throws IOException {
    for (String name : List.of("labscan-agent", "labscan-controller")) {
      Path launcher = root.resolve("usr/bin/" + name);
      Files.createDirectories(launcher.getParent());
      Files.copy(InstallerFiles.file("unix/labscan-launcher"), launcher);
      launcher.toFile().setExecutable(true);
      Path share = Files.createDirectories(root.resolve("usr/share/" + name));
      Files.write(share.resolve(name + ".jar"), new byte[0]);
      Files.copy(InstallerFiles.file("unix/" + name.substring("labscan-".length()) + ".jvm.options"),
          share.resolve("jvm.options"));
    }
    state = root.resolve("var/lib/labscan-agent");
    jdk = fakeJdk("17.0.15");
  }

  /**
   * A JDK folder whose bin/java echoes its arguments, and leaves its environment in bin/env.txt;
   * {@code release} names its version.
   */
  private Path fakeJdk(String version) throws IOException {
    Path home = Files.createDirectories(root.resolve("jdk-" + version));
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\nenv > \"$(dirname \"$0\")/env.txt\"\nprintf '%s\\n' \"$@\"\n");
    java.toFile().setExecutable(true);
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
    return home;
  }

  private List<String> launch(String name, Map<String, String> extraEnv, String... args) {
    List<String> command = new ArrayList<>(List.of(root.resolve("usr/bin/" + name).toString()));
    command.addAll(List.of(args));
    Map<String, String> env = new HashMap<>(Map.of(
        "LABSCAN_JAVA", jdk.resolve("bin/java").toString(),
        "LABSCAN_STATE_DIR", state.toString(),
        "LABSCAN_JAVA_OPTS", ""));
    env.putAll(extraEnv);
    Command.Result result = Command.run(command, env, "", Duration.ofSeconds(30));
    assertThat(result.exitCode()).as("%s", result).isZero();
    return result.output().lines().toList();
  }

  private List<String> launchAgent(String... args) {
    return launch("labscan-agent", Map.of(), args);
  }

  @Test
  void startsTheJvmWithTheAgentsServiceProfile() {
    assertThat(launchAgent("run")).contains(
        "-Xms8m", "-Xmx128m", "-Xmn2m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-XX:MaxMetaspaceSize=64m", "-Xss256k",
        "-XX:+ExitOnOutOfMemoryError");
  }

  @Test
  void unpacksNativeLibrariesIntoAnOwnerOnlyTmpFolderUnderTheState() throws IOException {
    String tmp = state.resolve("tmp").toString();
    assertThat(launchAgent("run")).contains(
        "-Djna.tmpdir=" + tmp, "-Dorg.sqlite.tmpdir=" + tmp, "-Djava.io.tmpdir=" + tmp);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("tmp"))))
        .isEqualTo("rwx------");
  }

  @Test
  void sendsJvmWarningsToStderrSoStdoutCarriesOnlyCommandOutput() {
    assertThat(launchAgent("scan")).containsSubsequence("-Xlog:disable", "-Xlog:all=warning:stderr");
  }

  @Test
  void passesTheCommandLineAfterTheJarUntouched() {
    List<String> args = launchAgent("scan", "--root", "/mnt/disk with spaces", "--out", "-");
    int jar = args.indexOf("-jar");
    assertThat(args.get(jar + 1)).isEqualTo(root.resolve("usr/share/labscan-agent/labscan-agent.jar").toString());
    assertThat(args.subList(jar + 2, args.size()))
        .containsExactly("scan", "--root", "/mnt/disk with spaces", "--out", "-");
  }

  @Test
  void aOneOffScanGetsTheFullJitAfterTheServiceProfile() {
    List<String> args = launchAgent("scan", "--root", "/");
    assertThat(args.indexOf("-XX:TieredStopAtLevel=4")).isGreaterThan(args.indexOf("-XX:TieredStopAtLevel=1"));
    assertThat(args.indexOf("-XX:TieredStopAtLevel=4")).isLessThan(args.indexOf("-jar"));
  }

  @Test
  void theServiceKeepsItsC1OnlyProfile() {
    List<String> args = launchAgent("run");
    assertThat(args).contains("-XX:TieredStopAtLevel=1").doesNotContain("-XX:TieredStopAtLevel=4");
  }

  @Test
  void theControllerIsNeverGivenTheAgentsScanFlag() {
    List<String> args = launch("labscan-controller", Map.of(), "scan");
    assertThat(args).doesNotContain("-XX:TieredStopAtLevel=4");
  }

  @Test
  void everyJvmFlagComesBeforeTheJar() {
    List<String> args = launchAgent("run");
    assertThat(args.subList(0, args.indexOf("-jar"))).allMatch(a -> a.startsWith("-"));
  }

  @Test
  void onJdk17MapsTheJdksDefaultClassDataArchive() {
    List<String> args = launchAgent("run");
    assertThat(args).contains("-Xshare:auto");
    assertThat(args).noneMatch(a -> a.contains("AutoCreateSharedArchive") || a.contains("SharedArchiveFile"));
  }

  @Test
  void onJdk19OrNewerKeepsAnAutoCreatedArchiveInTheStateFolder() throws IOException {
    jdk = fakeJdk("21.0.4");
    List<String> args = launchAgent("run");
    assertThat(args).contains("-XX:SharedArchiveFile=" + state.resolve("agent.jsa"), "-XX:+AutoCreateSharedArchive");
    assertThat(args).doesNotContain("-Xshare:auto");
  }

  @Test
  void asksTheRuntimeForItsVersionWhenItHasNoReleaseFile() throws IOException {
    jdk = fakeJdk("17");
    Files.delete(jdk.resolve("release"));
    Files.writeString(jdk.resolve("bin/java"), """
        #!/bin/sh
        if [ "$1" = -XshowSettings:properties ]; then
          echo '    java.specification.version = 22' >&2
          exit 0
        fi
        printf '%s\\n' "$@"
        """);
    assertThat(launchAgent("run")).contains("-XX:+AutoCreateSharedArchive");
  }

  /** The environment the stand-in java was started with. */
  private List<String> javaEnvironment() throws IOException {
    return Files.readAllLines(jdk.resolve("bin/env.txt"));
  }

  private static boolean onLinux() {
    return System.getProperty("os.name").equals("Linux");
  }

  @Test
  void onLinuxTheAgentRunsWithTwoMallocArenas() throws IOException {
    Assumptions.assumeTrue(onLinux(), "glibc's arenas are a Linux matter");
    launchAgent("run");
    assertThat(javaEnvironment()).contains("MALLOC_ARENA_MAX=2");
  }

  @Test
  void anOperatorsOwnMallocArenaLimitWins() throws IOException {
    Assumptions.assumeTrue(onLinux(), "glibc's arenas are a Linux matter");
    launch("labscan-agent", Map.of("MALLOC_ARENA_MAX", "4"), "run");
    assertThat(javaEnvironment()).contains("MALLOC_ARENA_MAX=4").doesNotContain("MALLOC_ARENA_MAX=2");
  }

  @Test
  void theControllerKeepsGlibcsDefaultArenasAndNeverTrims() throws IOException {
    state = root.resolve("var/lib/labscan-controller");
    List<String> args = launch("labscan-controller", Map.of(), "serve");
    assertThat(javaEnvironment()).noneMatch(line -> line.startsWith("MALLOC_ARENA_MAX="));
    assertThat(args).noneMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval"));
  }

  @Test
  void onLinuxTheAgentTrimsTheNativeHeapOnARuntimeThatHasTheTrimmer() throws IOException {
    Assumptions.assumeTrue(onLinux(), "the trimmer is glibc's malloc_trim");
    for (String version : List.of("17.0.15", "17.0.9", "21.0.1", "25.0.3")) {
      jdk = fakeJdk(version);
      List<String> args = launchAgent("run");
      assertThat(args).as(version).contains("-XX:TrimNativeHeapInterval=10000");
      assertThat(args.indexOf("-XX:+UnlockExperimentalVMOptions")).as(version)
          .isNotNegative().isLessThan(args.indexOf("-XX:TrimNativeHeapInterval=10000"));
      assertThat(args.indexOf("-XX:TrimNativeHeapInterval=10000")).as(version).isLessThan(args.indexOf("-jar"));
    }
  }

  @Test
  void aRuntimeOlderThanTheTrimmerIsNotGivenTheFlagItWouldRefuse() throws IOException {
    for (String version : List.of("17.0.8", "17", "21", "19.0.2")) {
      jdk = fakeJdk(version);
      assertThat(launchAgent("run")).as(version).noneMatch(a -> a.startsWith("-XX:TrimNativeHeapInterval"));
    }
  }

  @Test
  void readsTheUpdateFromTheRuntimesPropertiesWhenItHasNoReleaseFile() throws IOException {
    Assumptions.assumeTrue(onLinux(), "the trimmer is glibc's malloc_trim");
    jdk = fakeJdk("17");
    Files.delete(jdk.resolve("release"));
    Files.writeString(jdk.resolve("bin/java"), """
        #!/bin/sh
        if [ "$1" = -XshowSettings:properties ]; then
          echo '    java.specification.version = 17' >&2
          echo '    java.version = 17.0.12' >&2
          exit 0
        fi
        printf '%s\\n' "$@"
        """);
    assertThat(launchAgent("run")).contains("-XX:TrimNativeHeapInterval=10000", "-Xshare:auto");
  }

  @Test
  void appendsExtraFlagsFromTheEnvironmentAfterTheProfile() {
    List<String> args = launch("labscan-agent", Map.of("LABSCAN_JAVA_OPTS", "-Xmx256m -Dfoo=bar"), "run");
    assertThat(args.indexOf("-Xmx256m")).isGreaterThan(args.indexOf("-Xmx128m"));
    assertThat(args).contains("-Dfoo=bar");
  }

  @Test
  void theSameFileUnderTheControllersNameStartsTheControllerWithItsProfile() {
    state = root.resolve("var/lib/labscan-controller");
    List<String> args = launch("labscan-controller", Map.of(), "serve");
    assertThat(args).contains("-Xms32m", "-Xmx1g", "-Dorg.sqlite.tmpdir=" + state.resolve("tmp"));
    assertThat(args.get(args.indexOf("-jar") + 1)).endsWith("usr/share/labscan-controller/labscan-controller.jar");
  }

  @Test
  void refusesWithExitCode2WhenTheJarIsMissing() throws IOException {
    Files.delete(root.resolve("usr/share/labscan-agent/labscan-agent.jar"));
    Command.Result result = Command.run(List.of(root.resolve("usr/bin/labscan-agent").toString(), "run"),
        Map.of("LABSCAN_JAVA", jdk.resolve("bin/java").toString(), "LABSCAN_STATE_DIR", state.toString()),
        "", Duration.ofSeconds(30));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.output()).contains("cannot read").contains("labscan-agent.jar");
  }
}
