package io.labscan.agent.platform.linux;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code nft} command, for the agent's two nftables users (the egress watch's log
 * rules, {@code NftablesRules}, and the quarantine's drop rules, {@code NftablesQuarantine}):
 * the binary from a fixed system path (a writable PATH entry cannot stand in for it), at most
 * {@link #TIMEOUT_SECONDS} per call, and only a bounded part of its output kept (nft prints
 * what the kernel holds, which the agent does not control).
 */
public final class Nft {
  /** How long one {@code nft} call may take before it is killed. */
  public static final long TIMEOUT_SECONDS = 15;

  private Nft() {}

  /** Where {@code nft} is: a fixed system path; {@code "nft"} when none is installed. */
  public static String binary() {
    for (String candidate : List.of("/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "nft";
  }

  /** True when an {@code nft} binary is installed at one of the fixed paths. */
  public static boolean isInstalled() {
    return !binary().equals("nft");
  }

  /**
   * Runs {@code commandPrefix nft arguments} with {@code input} on its standard input; returns
   * its output (standard output and error, the first {@code maxOutput} bytes). Fails naming the
   * command when it exits non-zero (with its output), outlasts the timeout (it is killed), or
   * the thread is interrupted.
   */
  public static String run(List<String> commandPrefix, List<String> arguments, String input, int maxOutput)
      throws IOException {
    List<String> command = new ArrayList<>(requireNonNull(commandPrefix, "commandPrefix"));
    command.add(binary());
    command.addAll(requireNonNull(arguments, "arguments"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(requireNonNull(input, "input").getBytes(StandardCharsets.UTF_8));
    }
    String output = readBounded(process.getInputStream(), maxOutput);
    try {
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running nft", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
          + output.strip());
    }
    return output;
  }

  /** Reads {@code in} to its end, keeping the first {@code max} bytes. */
  private static String readBounded(InputStream in, int max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
      if (out.size() < max) {
        out.write(buf, 0, Math.min(n, max - out.size()));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
