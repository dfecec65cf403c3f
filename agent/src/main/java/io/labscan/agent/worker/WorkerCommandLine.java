package io.labscan.agent.worker;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.platform.Platform;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How to start a scan worker: the same Java runtime and class path as the running daemon,
 * with the worker's own JVM flags. Taken from the running JVM rather than from the installer,
 * so it is right under the Linux launcher ({@code exec java … -jar}), the Windows service
 * ({@code java.exe} as the service binary) and launchd alike.
 *
 * @param prefix everything before the scan's arguments: the java executable, its flags, the
 *     class path, the main class and the sub-command
 */
public record WorkerCommandLine(List<String> prefix) {
  /** The worker's largest heap (named in the out-of-memory error). */
  static final String MAX_HEAP = "256m";

  /**
   * The worker's JVM profile. Unlike the daemon's it allows C2 (the JDK's SHA-256 intrinsic
   * uses the CPU's SHA extensions; C1-only hashing was 2.5× slower than sha256sum) and a heap
   * sized for a scan; the worker lives minutes, so neither stays resident.
   */
  public static final List<String> JVM_OPTIONS = List.of(
      "-Xms32m", "-Xmx" + MAX_HEAP, "-XX:MaxMetaspaceSize=128m", "-Xss512k",
      "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-Xshare:auto",
      "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xlog:cds=error:stderr");

  /** Daemon system properties the worker must share (where native libraries unpack, encoding). */
  static final List<String> FORWARDED_PROPERTIES = List.of(
      "java.io.tmpdir", "jna.tmpdir", "org.sqlite.tmpdir", "file.encoding", "logback.configurationFile");

  static final String MAIN_CLASS = "io.labscan.agent.cli.AgentMain";
  static final String SUBCOMMAND = "scan-worker";

  public WorkerCommandLine {
    prefix = List.copyOf(requireNonNull(prefix, "prefix"));
    if (prefix.isEmpty()) {
      throw new IllegalArgumentException("a worker command needs at least the program");
    }
  }

  /** The worker command for this JVM: its java executable, class path and forwarded properties. */
  public static WorkerCommandLine ofThisJvm() {
    List<String> prefix = new ArrayList<>();
    prefix.add(javaExecutable(ProcessHandle.current().info().command(), System.getProperty("java.home"),
        isWindows()).toString());
    prefix.addAll(JVM_OPTIONS);
    if (isWindows()) {
      // As the service's own JVM (installers/windows/jvm.options): a user logging off sends
      // console events that would otherwise stop a JVM started from a service.
      prefix.add("-Xrs");
    }
    for (String name : FORWARDED_PROPERTIES) {
      String value = System.getProperty(name);
      if (value != null && !value.isEmpty()) {
        prefix.add("-D" + name + "=" + value);
      }
    }
    prefix.add("-cp");
    prefix.add(System.getProperty("java.class.path"));
    prefix.add(MAIN_CLASS);
    prefix.add(SUBCOMMAND);
    return new WorkerCommandLine(prefix);
  }

  /**
   * The running program when it is a Java launcher ({@code java}, {@code java.exe},
   * {@code javaw.exe}); otherwise (an embedding host such as a service wrapper, or an
   * unknown command) {@code java} from {@code java.home}.
   */
  static Path javaExecutable(Optional<String> command, String javaHome, boolean windows) {
    requireNonNull(command, "command");
    requireNonNull(javaHome, "javaHome");
    Optional<Path> launcher = command.map(Path::of).filter(p -> {
      Path name = p.getFileName();
      if (name == null) {
        return false;
      }
      String n = name.toString().toLowerCase(Locale.ROOT);
      return n.equals("java") || n.equals("java.exe") || n.equals("javaw.exe");
    });
    return launcher.orElseGet(() -> Path.of(javaHome, "bin", windows ? "java.exe" : "java"));
  }

  private static boolean isWindows() {
    return Platform.current().isWindows();
  }

  /** The full command for one scan. */
  public List<String> command(ScanWorker.Request request) {
    requireNonNull(request, "request");
    List<String> command = new ArrayList<>(prefix);
    command.add("--state-dir=" + request.stateDir());
    command.add("--root=" + request.scanRoot());
    command.add("--host-id=" + request.hostId());
    command.add("--kind=" + request.kind().name());
    command.add("--trigger=" + request.trigger());
    // An empty argument does not survive every platform's command line: leave it out.
    if (!request.lab().isEmpty()) {
      command.add("--lab=" + request.lab());
    }
    return List.copyOf(command);
  }
}
