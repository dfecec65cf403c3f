package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static java.util.Objects.requireNonNull;

import io.labscan.contract.quarantine.QuarantineRules.Destination;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The Windows quarantine: one outbound Windows Firewall rule the service owns, named
 * {@value #RULE_NAME}, written with {@code netsh advfirewall firewall} (run from
 * {@code %SystemRoot%\System32\netsh.exe} with an argument list, never through a shell):
 *
 * <pre>
 * netsh advfirewall firewall delete rule name=LabScan-SMTP-Quarantine
 * netsh advfirewall firewall add rule name=LabScan-SMTP-Quarantine dir=out action=block protocol=TCP
 *     remoteport=25,465,587 remoteip=0.0.0.0-192.0.2.24,192.0.2.26-255.255.255.255,::-ffff:...
 *     profile=any enable=yes description=...
 * </pre>
 *
 * <p><b>Why allowed destinations are cut out of the block rule's addresses.</b> In Windows
 * Firewall a block rule wins over every allow rule, so "block, except for these" must be written
 * as a block rule whose remote addresses leave the exceptions out ({@link #remoteIpsOutside}).
 * For the same reason allowed <em>processes</em> cannot be exempted by a firewall rule: on
 * Windows they send through the allowed destinations (the campus relays) like everybody else. A
 * WFP filter with a permit of higher weight for the allowed applications would lift that limit;
 * it is not written yet. Refused attempts are not counted on Windows (the Filtering Platform's
 * event 5157 would tell them; not read yet).
 *
 * <p>Not testable on Linux beyond its command lines: {@code WindowsFirewallQuarantineTest} checks
 * them on fixtures and with a recording runner.
 */
public final class WindowsFirewallQuarantine implements QuarantineEnforcer {
  /** The rule's name: no spaces, so it survives the JDK's Windows argument quoting unchanged. */
  public static final String RULE_NAME = "LabScan-SMTP-Quarantine";
  private static final BigInteger V4_MAX = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
  private static final BigInteger V6_MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  /** Runs one command line; throws with its output when it fails. */
  @FunctionalInterface
  public interface Runner {
    /** @return the exit code */
    int run(List<String> command, StringBuilder output) throws IOException;
  }

  private final Runner runner;
  private final String netsh;

  public WindowsFirewallQuarantine(Runner runner, String netsh) {
    this.runner = requireNonNull(runner, "runner");
    this.netsh = requireNonNull(netsh, "netsh");
  }

  /** The service's own: netsh from the system folder. */
  public static WindowsFirewallQuarantine system() {
    String root = System.getenv().getOrDefault("SystemRoot", "C:\\Windows");
    return new WindowsFirewallQuarantine(WindowsFirewallQuarantine::runProcess,
        Path.of(root, "System32", "netsh.exe").toString());
  }

  @Override
  public boolean enforces() {
    return true;
  }

  @Override
  public String describe() {
    return "Windows Firewall rule " + RULE_NAME;
  }

  @Override
  public void install(QuarantineRules rules) throws IOException {
    remove();
    runChecked(addCommand(rules));
  }

  @Override
  public void remove() throws IOException {
    StringBuilder out = new StringBuilder();
    int exit = runner.run(deleteCommand(), out);
    // netsh answers 1 and "No rules match the specified criteria." when there is nothing to delete.
    if (exit != 0 && !out.toString().contains("No rules match")) {
      throw new IOException(String.join(" ", deleteCommand()) + " failed (exit " + exit + "): " + out.toString().strip());
    }
  }

  @Override
  public List<BlockedCount> blockedSoFar() {
    return List.of();
  }

  List<String> deleteCommand() {
    return List.of(netsh, "advfirewall", "firewall", "delete", "rule", "name=" + RULE_NAME);
  }

  List<String> addCommand(QuarantineRules rules) {
    requireNonNull(rules, "rules");
    List<String> c = new ArrayList<>(List.of(netsh, "advfirewall", "firewall", "add", "rule", "name=" + RULE_NAME,
        "dir=out", "action=block", "protocol=TCP",
        "remoteport=" + rules.ports().stream().sorted().map(String::valueOf).collect(Collectors.joining(","))));
    if (!rules.allowedDestinations().isEmpty()) {
      c.add("remoteip=" + String.join(",", remoteIpsOutside(rules.allowedDestinations())));
    }
    c.addAll(List.of("profile=any", "enable=yes",
        "description=LabScan SMTP quarantine: outbound mail blocked by order of the LabScan controller"));
    return c;
  }

  /**
   * Every address outside {@code allowed}, as netsh ranges ({@code a-b}, or one address), IPv4
   * then IPv6: the remote addresses a block rule must name so that {@code allowed} stays open.
   */
  static List<String> remoteIpsOutside(List<Destination> allowed) {
    List<String> out = new ArrayList<>();
    for (boolean v6 : new boolean[] {false, true}) {
      List<BigInteger[]> ranges = allowed.stream().filter(d -> d.isIpv6() == v6)
          .map(d -> new BigInteger[] {new BigInteger(1, d.first()), new BigInteger(1, d.last())})
          .sorted(Comparator.comparing(r -> r[0])).toList();
      BigInteger next = BigInteger.ZERO;
      BigInteger max = v6 ? V6_MAX : V4_MAX;
      for (BigInteger[] r : ranges) {
        if (r[0].compareTo(next) > 0) {
          out.add(range(next, r[0].subtract(BigInteger.ONE), v6));
        }
        if (r[1].add(BigInteger.ONE).compareTo(next) > 0) {
          next = r[1].add(BigInteger.ONE);
        }
      }
      if (next.compareTo(max) <= 0) {
        out.add(range(next, max, v6));
      }
    }
    return out;
  }

  private static String range(BigInteger from, BigInteger to, boolean v6) {
    return from.equals(to) ? address(from, v6) : address(from, v6) + "-" + address(to, v6);
  }

  private static String address(BigInteger value, boolean v6) {
    int length = v6 ? 16 : 4;
    byte[] raw = value.toByteArray();
    byte[] b = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, b, length - copy, copy);
    try {
      return new Destination(InetAddress.getByAddress(b), length * 8).text();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private void runChecked(List<String> command) throws IOException {
    StringBuilder out = new StringBuilder();
    int exit = runner.run(command, out);
    if (exit != 0) {
      throw new IOException(command.get(0) + " " + String.join(" ", command.subList(1, Math.min(6, command.size())))
          + " failed (exit " + exit + "): " + out.toString().strip());
    }
  }

  private static int runProcess(List<String> command, StringBuilder output) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] bytes = p.getInputStream().readNBytes(64 * 1024);
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    output.append(new String(bytes, StandardCharsets.UTF_8));
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(command.get(0) + " did not finish within 30 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running netsh", e);
    }
    return p.exitValue();
  }
}
