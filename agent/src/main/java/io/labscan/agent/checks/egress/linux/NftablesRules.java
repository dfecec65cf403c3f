package io.labscan.agent.checks.egress.linux;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.platform.linux.Nft;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The agent's own nftables table: one output-hook chain that logs the first packet (the
 * SYN) of every TCP connection to a watched port, with the socket's uid. Nothing is ever
 * dropped: the chain's policy is accept and the rule only logs.
 *
 * <pre>
 * table inet labscan {
 *   chain out {
 *     type filter hook output priority 0; policy accept;
 *     tcp dport { 25, 465, 587 } tcp flags &amp; (fin | syn | rst | ack) == syn
 *         limit rate 200/second burst 400 packets log prefix "labscan-smtp-4026531840 " level debug flags skuid
 *   }
 * }
 * </pre>
 *
 * Matching the bare SYN instead of {@code ct state new} needs no connection tracking (no
 * conntrack table filling up on busy hosts); a retransmitted SYN logs again, which the
 * aggregator folds into the same 4-tuple. {@code level debug} keeps the lines off the
 * console; the limit keeps a flood from drowning the kernel log (the poll still counts).
 *
 * <p>{@code nft} runs as a child process with fixed arguments ({@code nft -f -}, the rules
 * on standard input), never through a shell. A command prefix such as
 * {@code ip netns exec NS} runs it in another network namespace.
 */
public final class NftablesRules {
  public static final String TABLE = "labscan";
  /** Log prefix when the agent's network namespace cannot be named. */
  public static final String DEFAULT_LOG_PREFIX = "labscan-smtp ";
  private static final Path NET_NS_LINK = Path.of("/proc/self/ns/net");
  private static final Pattern NS_INODE = Pattern.compile("net:\\[(\\d{1,20})]");
  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,30}");
  private static final Pattern SAFE_PREFIX = Pattern.compile("[A-Za-z0-9_.:-]{1,60} ?");
  /** The part of nft's output kept for an error message. */
  private static final int MAX_OUTPUT = 16 * 1024;

  private final List<String> commandPrefix;
  private final String table;
  private final String logPrefix;
  private final Set<Integer> ports;

  /**
   * @param commandPrefix words to run {@code nft} under (empty, or e.g.
   *     {@code ["ip", "netns", "exec", "NS"]})
   * @param table the table's name (letters, digits, '-', '_')
   * @param logPrefix kernel log prefix (letters, digits, '_.:-', optional trailing space)
   * @param ports watched remote ports, 1 to 65535
   */
  public NftablesRules(List<String> commandPrefix, String table, String logPrefix, Set<Integer> ports) {
    this.commandPrefix = List.copyOf(requireNonNull(commandPrefix, "commandPrefix"));
    this.table = requireNonNull(table, "table");
    this.logPrefix = requireNonNull(logPrefix, "logPrefix");
    this.ports = new TreeSet<>(requireNonNull(ports, "ports"));
    if (!SAFE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException("unsafe nftables table name: " + table);
    }
    if (!SAFE_PREFIX.matcher(logPrefix).matches()) {
      throw new IllegalArgumentException("unsafe log prefix: " + logPrefix);
    }
    if (this.ports.isEmpty() || this.ports.stream().anyMatch(p -> p < 1 || p > 0xffff)) {
      throw new IllegalArgumentException("ports must be 1..65535 and not empty: " + ports);
    }
  }

  /**
   * The agent's default table in its own network namespace, logging with the prefix of that
   * namespace ({@link #logPrefixFor}).
   */
  public static NftablesRules forPorts(Set<Integer> ports) {
    return new NftablesRules(List.of(), TABLE, logPrefixFor(readNetworkNamespaceLink(NET_NS_LINK)), ports);
  }

  /**
   * The log prefix for the network namespace named by {@code nsLink} (the target of
   * {@code /proc/self/ns/net}, e.g. {@code net:[4026531840]}): {@code labscan-smtp-4026531840 }.
   *
   * <p>Why per namespace: the kernel log is one for the whole kernel, while each network
   * namespace (a container, a lab VM's netns, a test) has its own nftables table. With one
   * fixed prefix, an agent would read the lines another namespace's agent asked for and count
   * that namespace's mail as its own host's. Without a readable link: {@link #DEFAULT_LOG_PREFIX}.
   */
  static String logPrefixFor(Optional<String> nsLink) {
    return nsLink.map(link -> NS_INODE.matcher(link))
        .filter(java.util.regex.Matcher::matches)
        .map(m -> "labscan-smtp-" + m.group(1) + " ")
        .orElse(DEFAULT_LOG_PREFIX);
  }

  private static Optional<String> readNetworkNamespaceLink(Path link) {
    try {
      return Optional.of(Files.readSymbolicLink(link).toString());
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }

  public String logPrefix() {
    return logPrefix;
  }

  /** The ruleset text. Declaring then deleting the table first makes it idempotent. */
  public String rulesetText() {
    String portSet = ports.stream().map(String::valueOf).collect(Collectors.joining(", "));
    return "table inet " + table + "\n"
        + "delete table inet " + table + "\n"
        + "table inet " + table + " {\n"
        + "  chain out {\n"
        + "    type filter hook output priority 0; policy accept;\n"
        + "    tcp dport { " + portSet + " } tcp flags & (fin | syn | rst | ack) == syn"
        + " limit rate 200/second burst 400 packets"
        + " log prefix \"" + logPrefix + "\" level debug flags skuid\n"
        + "  }\n"
        + "}\n";
  }

  /** Installs (or replaces) the table. */
  public void install() throws IOException {
    run(rulesetText());
  }

  /** Removes the table; succeeds when it is already gone. */
  public void remove() throws IOException {
    run(removalText(table));
  }

  /** Removes the agent's default table: for uninstallers and after a crash. */
  public static void removeRules() throws IOException {
    new NftablesRules(List.of(), TABLE, DEFAULT_LOG_PREFIX, Set.of(25)).remove();
  }

  static String removalText(String table) {
    return "table inet " + table + "\ndelete table inet " + table + "\n";
  }

  /** Where {@code nft} is ({@link Nft#binary}). */
  static String nftBinary() {
    return Nft.binary();
  }

  /** True when an {@code nft} binary is installed. */
  public static boolean isInstalled() {
    return Nft.isInstalled();
  }

  private void run(String input) throws IOException {
    Nft.run(commandPrefix, List.of("-f", "-"), input, MAX_OUTPUT);
  }
}
