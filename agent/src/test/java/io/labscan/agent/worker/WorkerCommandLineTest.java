package io.labscan.agent.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.proto.v1.ScanKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkerCommandLineTest {
  private static final ScanWorker.Request REQUEST = new ScanWorker.Request(Path.of("/var/lib/labscan"),
      Path.of("/"), "lab-7", "3f8a1c52-5a8e-4a53-9d0e-0f5b8b0f2a11", ScanKind.SCAN_KIND_FULL, "catch-up");

  @Test
  void theRunningJavaLauncherStartsTheWorker() {
    assertThat(WorkerCommandLine.javaExecutable(Optional.of("/usr/lib/jvm/java-17/bin/java"), "/opt/other", false))
        .isEqualTo(Path.of("/usr/lib/jvm/java-17/bin/java"));
  }

  @Test
  void anEmbeddingHostThatIsNoJavaLauncherFallsBackToJavaHome() {
    assertThat(WorkerCommandLine.javaExecutable(Optional.of("/opt/wrapper/prunsrv"), "/opt/jre", false))
        .isEqualTo(Path.of("/opt/jre", "bin", "java"));
  }

  @Test
  void anUnknownCommandFallsBackToJavaHomeWithTheWindowsLauncherOnWindows() {
    assertThat(WorkerCommandLine.javaExecutable(Optional.empty(), "/opt/jre", true))
        .isEqualTo(Path.of("/opt/jre", "bin", "java.exe"));
  }

  @Test
  void theWorkerOfThisJvmRunsTheAgentsMainOnTheSameClassPathWithC2Allowed() {
    List<String> prefix = WorkerCommandLine.ofThisJvm().prefix();

    assertThat(prefix).containsSequence("-cp", System.getProperty("java.class.path"),
        WorkerCommandLine.MAIN_CLASS, WorkerCommandLine.SUBCOMMAND);
    assertThat(prefix).contains("-Xmx256m", "-XX:+UseSerialGC").noneMatch(f -> f.startsWith("-XX:TieredStopAtLevel"));
  }

  @Test
  void theWorkerInheritsWhereNativeLibrariesUnpack() {
    assertThat(WorkerCommandLine.ofThisJvm().prefix())
        .contains("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
  }

  @Test
  void theCommandCarriesTheRequestAfterThePrefix() {
    WorkerCommandLine line = new WorkerCommandLine(List.of("java", "Main", "scan-worker"));

    assertThat(line.command(REQUEST)).containsExactly("java", "Main", "scan-worker",
        "--state-dir=" + Path.of("/var/lib/labscan"), "--root=" + Path.of("/"),
        "--host-id=3f8a1c52-5a8e-4a53-9d0e-0f5b8b0f2a11", "--kind=SCAN_KIND_FULL", "--trigger=catch-up",
        "--lab=lab-7");
  }

  @Test
  void anEmptyLabIsLeftOut() {
    WorkerCommandLine line = new WorkerCommandLine(List.of("java"));
    ScanWorker.Request noLab = new ScanWorker.Request(REQUEST.stateDir(), REQUEST.scanRoot(), "", REQUEST.hostId(),
        REQUEST.kind(), REQUEST.trigger());

    assertThat(line.command(noLab)).noneMatch(a -> a.startsWith("--lab"));
  }
}
