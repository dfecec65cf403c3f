package io.labscan.controller.e2e;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private network of network namespaces: one "switch" namespace holding a bridge, and one
 * namespace per host, each linked to the bridge by a veth pair whose ends live only in those
 * namespaces. Addresses come from one /24 used nowhere else; no namespace has a default route,
 * so nothing can leave. Every name carries this JVM's pid and a random tag, so a crashed run
 * never blocks the next one, and {@link #removeLeftovers()} clears what a dead run left.
 */
final class TestNetwork implements AutoCloseable {
  static final String PREFIX = "lse2e-";
  private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-[0-9a-f]+-[a-z0-9]+");

  private final String tag;
  private final String subnet;
  private final String switchNs;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private boolean closed;

  /** A host of the network: its namespace and its (current) address. */
  static final class Host {
    final String role;
    final String namespace;
    private volatile String ip;

    private Host(String role, String namespace, String ip) {
      this.role = role;
      this.namespace = namespace;
      this.ip = ip;
    }

    String ip() {
      return ip;
    }

    /** Command words that run a program inside this host's namespace. */
    List<String> exec(List<String> command) {
      List<String> full = new ArrayList<>(List.of(Commands.ip(), "netns", "exec", namespace));
      full.addAll(command);
      return full;
    }

    @Override
    public String toString() {
      return role + " (" + namespace + ", " + ip + ")";
    }
  }

  private TestNetwork(String tag, String subnet) {
    this.tag = tag;
    this.subnet = subnet;
    this.switchNs = PREFIX + tag + "-sw";
  }

  /**
   * Creates the switch namespace and its bridge.
   *
   * @param subnet the first three octets of the /24, e.g. {@code 10.203.79}
   * @throws IOException when the kernel refuses (the caller decides whether that is a skip)
   */
  static TestNetwork create(String subnet) throws IOException {
    String tag = ProcessHandle.current().pid() + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    TestNetwork net = new TestNetwork(tag, subnet);
    try {
      net.ip("netns", "add", net.switchNs);
      net.ip("-n", net.switchNs, "link", "add", "br0", "type", "bridge");
      net.ip("-n", net.switchNs, "link", "set", "br0", "up");
    } catch (IOException | RuntimeException e) {
      net.close();
      throw e;
    }
    return net;
  }

  /** Adds a host namespace linked to the bridge, with {@code subnet.lastOctet/24} on its {@code eth0}. */
  Host add(String role, int lastOctet) throws IOException {
    requireNonNull(role, "role");
    if (!role.matches("[a-z0-9]{1,8}")) {
      throw new IllegalArgumentException("role must be 1-8 lower-case letters or digits: " + role);
    }
    String ns = PREFIX + tag + "-" + role;
    ip("netns", "add", ns);
    Host host = new Host(role, ns, address(lastOctet));
    hosts.put(role, host);
    String port = "v-" + role;
    ip("-n", switchNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
    ip("-n", switchNs, "link", "set", port, "master", "br0", "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", host.ip + "/24", "dev", "eth0");
    ip("-n", ns, "link", "set", "eth0", "up");
    return host;
  }

  /** Moves a host to another address, as a DHCP server handing out a new lease would. */
  void renumber(Host host, int lastOctet) throws IOException {
    String next = address(lastOctet);
    ip("-n", host.namespace, "addr", "del", host.ip + "/24", "dev", "eth0");
    ip("-n", host.namespace, "addr", "add", next + "/24", "dev", "eth0");
    host.ip = next;
  }

  String address(int lastOctet) {
    if (lastOctet < 1 || lastOctet > 254) {
      throw new IllegalArgumentException("host number " + lastOctet);
    }
    return subnet + "." + lastOctet;
  }

  private void ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Commands.ip()));
    command.addAll(List.of(args));
    Commands.run(command).orThrow();
  }

  /** Kills whatever still runs in the namespaces, then deletes them; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> namespaces = new ArrayList<>();
    hosts.values().forEach(h -> namespaces.add(h.namespace));
    namespaces.add(switchNs);
    namespaces.forEach(TestNetwork::remove);
  }

  /** Kills the processes of a namespace and deletes it; problems are printed, never thrown. */
  static void remove(String namespace) {
    try {
      Commands.Result pids = Commands.run(List.of(Commands.ip(), "netns", "pids", namespace));
      for (String line : pids.out().lines().toList()) {
        try {
          ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
          });
        } catch (NumberFormatException e) {
          // not a pid
        }
      }
      Commands.Result del = Commands.run(List.of(Commands.ip(), "netns", "del", namespace));
      if (!del.ok() && !(del.out() + del.err()).contains("No such file")) {
        System.err.println("KlezStoryIT: cannot delete namespace " + namespace + ": " + (del.out() + del.err()).strip());
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("KlezStoryIT: cannot remove namespace " + namespace + ": " + e.getMessage());
    }
  }

  /** Removes the namespaces of earlier runs whose JVM is gone (a crash, a kill -9). */
  static void removeLeftovers() {
    try {
      Commands.Result list = Commands.run(List.of(Commands.ip(), "netns", "list"));
      for (String line : list.out().lines().toList()) {
        String name = line.strip().split("\\s+")[0];
        Matcher m = OURS.matcher(name);
        if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).filter(ProcessHandle::isAlive).isEmpty()) {
          System.err.println("KlezStoryIT: removing namespace " + name + " left by a run that is gone");
          remove(name);
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("KlezStoryIT: cannot list namespaces: " + e.getMessage());
    }
  }

  /** Whether this kernel lets us create a namespace at all: empty if so, else why not. */
  static Optional<String> refusal() {
    String probe = PREFIX + ProcessHandle.current().pid() + "-" + HexFormat.of().toHexDigits(
        ThreadLocalRandom.current().nextInt()) + "-probe";
    try {
      Commands.Result add = Commands.run(List.of(Commands.ip(), "netns", "add", probe));
      if (!add.ok()) {
        return Optional.of("ip netns add refused: " + (add.out() + add.err()).strip());
      }
      Commands.Result veth = Commands.run(List.of(Commands.ip(), "-n", probe, "link", "add", "a0", "type", "veth",
          "peer", "name", "b0"));
      if (!veth.ok()) {
        return Optional.of("veth pairs refused: " + (veth.out() + veth.err()).strip());
      }
      Commands.Result bridge = Commands.run(List.of(Commands.ip(), "-n", probe, "link", "add", "br0", "type",
          "bridge"));
      if (!bridge.ok()) {
        return Optional.of("bridges refused: " + (bridge.out() + bridge.err()).strip());
      }
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of(e.getMessage());
    } finally {
      remove(probe);
    }
  }
}
