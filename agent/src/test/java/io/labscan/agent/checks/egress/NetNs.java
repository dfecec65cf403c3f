package io.labscan.agent.checks.egress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away network namespace for tests: only its own loopback, up. Nothing in it can
 * reach beyond the machine. Deleted by {@link #close()}. Public: the egress tests and the
 * quarantine tests ({@code io.labscan.agent.quarantine}) share this one class.
 */
public final class NetNs implements AutoCloseable {
  public record Result(int exit, String output) {}

  public final String name;

  private NetNs(String name) {
    this.name = name;
  }

  public static String ip() {
    for (String candidate : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "ip";
  }

  public static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** Creates a namespace, or explains why it could not (for a skip message). */
  public static NetNs create() throws IOException, InterruptedException {
    String name = "labscan-t-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    Result add = run(List.of(ip(), "netns", "add", name));
    if (add.exit() != 0) {
      throw new IOException("ip netns add refused: " + add.output().strip());
    }
    NetNs ns = new NetNs(name);
    Result up = ns.exec(List.of(ip(), "link", "set", "lo", "up"));
    if (up.exit() != 0) {
      ns.close();
      throw new IOException("cannot bring lo up in " + name + ": " + up.output().strip());
    }
    return ns;
  }

  /** Command words that run a program inside this namespace. */
  public List<String> prefix() {
    return List.of(ip(), "netns", "exec", name);
  }

  public Result exec(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>(prefix());
    full.addAll(command);
    return run(full);
  }

  public Process start(List<String> command) throws IOException {
    List<String> full = new ArrayList<>(prefix());
    full.addAll(command);
    return new ProcessBuilder(full).redirectErrorStream(true).start();
  }

  public static Result run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close(); // no input: a program reading stdin sees end of file
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, out + " (timed out)");
    }
    return new Result(p.exitValue(), out);
  }

  @Override
  public void close() throws IOException {
    try {
      run(List.of(ip(), "netns", "del", name));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
