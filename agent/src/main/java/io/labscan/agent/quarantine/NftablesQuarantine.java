package io.labscan.agent.quarantine;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.platform.linux.Nft;
import io.labscan.contract.quarantine.QuarantineRules;
import io.labscan.contract.quarantine.QuarantineRules.Destination;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Linux quarantine: an nftables table of the agent's own, separate from the egress watch's
 * {@code inet labscan}:
 *
 * <pre>
 * table inet labscan_quarantine {
 *   set blocked4 { type ipv4_addr . inet_service . uid; flags dynamic; size 4096; counter; }
 *   set blocked6 { type ipv6_addr . inet_service . uid; flags dynamic; size 4096; counter; }
 *   chain out {
 *     type filter hook output priority 10; policy accept;
 *     meta l4proto != tcp accept
 *     tcp dport != { 25, 465, 587 } accept
 *     tcp flags &amp; (fin | syn | rst | ack) != syn accept
 *     ip daddr 127.0.0.0/8 accept
 *     ip6 daddr ::1 accept
 *     meta skuid { 107 } accept                 # users of allowed processes (postfix)
 *     ip daddr { 192.0.2.25 } accept            # allowed destinations (campus relays)
 *     update @blocked4 { ip daddr . tcp dport . meta skuid }
 *     update @blocked6 { ip6 daddr . tcp dport . meta skuid }
 *     counter reject with tcp reset
 *   }
 * }
 * </pre>
 *
 * <p><b>Why this shape.</b> Only a connection's first packet (the bare SYN) is refused: sessions
 * open when the quarantine starts finish, packets the kernel sends without a socket (a TIME_WAIT's
 * ACK) are never touched, and no connection tracking is needed. {@code reject with tcp reset}
 * answers the sender at once ({@code ECONNREFUSED}), so a mail client tells its user instead of
 * hanging, and the worm's engine burns no retransmissions. The base chain hooks output at priority
 * 10, after the egress watch's log rule (priority 0), so event mode still sees every refused
 * attempt. Loopback stays open: a local MTA takes mail, and whether it may pass it on is decided
 * by its own (allowed or not) socket. The kernel knows a socket's owner only as a uid ({@code meta
 * skuid}), never its process, so allowed processes are allowed through their users.
 *
 * <p>The two dynamic sets count refused attempts per destination, port and user; the agent reads
 * them with {@code nft list table} ({@link #parseBlocked}). A full set (4,096 keys) stops counting
 * new keys, never blocking.
 *
 * <p>{@code nft} runs as a child process from a fixed system path with fixed arguments and the
 * rules on standard input, never through a shell. Everything in the text comes from {@link
 * QuarantineRules}: canonical IP literals, numbers.
 */
public final class NftablesQuarantine implements QuarantineEnforcer {
  /** The agent's quarantine table (family inet). */
  public static final String TABLE = "labscan_quarantine";
  private static final int MAX_OUTPUT = 4 * 1024 * 1024;
  private static final Pattern ELEMENT = Pattern.compile(
      "([0-9A-Fa-f:.]{2,45}) \\. (\\d{1,5}) \\. (\\d{1,10}) counter packets (\\d{1,19}) bytes \\d{1,19}");

  private final List<String> commandPrefix;

  /** @param commandPrefix words to run {@code nft} under (empty, or {@code ip netns exec NS} in tests) */
  public NftablesQuarantine(List<String> commandPrefix) {
    this.commandPrefix = List.copyOf(requireNonNull(commandPrefix, "commandPrefix"));
  }

  /** In the agent's own network namespace. */
  public static NftablesQuarantine system() {
    return new NftablesQuarantine(List.of());
  }

  @Override
  public boolean enforces() {
    return true;
  }

  @Override
  public String describe() {
    return "nftables table inet " + TABLE;
  }

  @Override
  public void install(QuarantineRules rules) throws IOException {
    run(List.of("-f", "-"), rulesetText(rules));
  }

  @Override
  public void remove() throws IOException {
    run(List.of("-f", "-"), removalText());
  }

  /** Removes the table in the agent's namespace: for uninstallers and {@code labscan-agent quarantine --remove-rules}. */
  public static void removeRules() throws IOException {
    system().remove();
  }

  @Override
  public List<BlockedCount> blockedSoFar() throws IOException {
    return parseBlocked(run(List.of("list", "table", "inet", TABLE), ""));
  }

  /** True when the table is in place. */
  public boolean isInstalled() throws IOException {
    try {
      run(List.of("list", "table", "inet", TABLE), "");
      return true;
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("No such file or directory")) {
        return false;
      }
      throw e;
    }
  }

  static String removalText() {
    return "table inet " + TABLE + "\ndelete table inet " + TABLE + "\n";
  }

  /** The ruleset: declaring then deleting the table first makes installing replace it in one transaction. */
  public static String rulesetText(QuarantineRules rules) {
    requireNonNull(rules, "rules");
    String ports = rules.ports().stream().sorted().map(String::valueOf).collect(Collectors.joining(", "));
    StringBuilder b = new StringBuilder();
    b.append(removalText());
    b.append("table inet ").append(TABLE).append(" {\n");
    for (String family : List.of("4", "6")) {
      b.append("  set blocked").append(family).append(" {\n")
          .append("    type ipv").append(family).append("_addr . inet_service . uid\n")
          .append("    flags dynamic\n    size 4096\n    counter\n  }\n");
    }
    b.append("  chain out {\n")
        .append("    type filter hook output priority 10; policy accept;\n")
        .append("    meta l4proto != tcp accept\n")
        .append("    tcp dport != { ").append(ports).append(" } accept\n")
        .append("    tcp flags & (fin | syn | rst | ack) != syn accept\n")
        .append("    ip daddr 127.0.0.0/8 accept\n")
        .append("    ip6 daddr ::1 accept\n");
    if (!rules.allowedUids().isEmpty()) {
      b.append("    meta skuid { ").append(rules.allowedUids().stream().sorted().map(String::valueOf)
          .collect(Collectors.joining(", "))).append(" } accept\n");
    }
    List<Destination> v4 = outermost(rules.allowedDestinations().stream().filter(d -> !d.isIpv6()).toList());
    List<Destination> v6 = outermost(rules.allowedDestinations().stream().filter(Destination::isIpv6).toList());
    if (!v4.isEmpty()) {
      b.append("    ip daddr { ").append(v4.stream().map(Destination::text).collect(Collectors.joining(", ")))
          .append(" } accept\n");
    }
    if (!v6.isEmpty()) {
      b.append("    ip6 daddr { ").append(v6.stream().map(Destination::text).collect(Collectors.joining(", ")))
          .append(" } accept\n");
    }
    b.append("    update @blocked4 { ip daddr . tcp dport . meta skuid }\n")
        .append("    update @blocked6 { ip6 daddr . tcp dport . meta skuid }\n")
        .append("    counter reject with tcp reset\n")
        .append("  }\n}\n");
    return b.toString();
  }

  /** Drops networks inside another one of the list (nft refuses overlapping set elements). */
  static List<Destination> outermost(List<Destination> all) {
    List<Destination> out = new ArrayList<>();
    all.stream().sorted(java.util.Comparator.comparingInt(Destination::prefix)).forEach(d -> {
      if (out.stream().noneMatch(o -> contains(o, d))) {
        out.add(d);
      }
    });
    return out;
  }

  private static boolean contains(Destination outer, Destination inner) {
    return outer.prefix() <= inner.prefix()
        && Arrays.equals(outer.network().getAddress(), new Destination(inner.network(), outer.prefix()).network().getAddress());
  }

  /**
   * The counted attempts in {@code nft list table} output: elements {@code ADDR . PORT . UID
   * counter packets N bytes M} of the two sets. Stateless; lines that do not match are skipped.
   */
  public static List<BlockedCount> parseBlocked(String listing) {
    List<BlockedCount> out = new ArrayList<>();
    Matcher m = ELEMENT.matcher(requireNonNull(listing, "listing"));
    while (m.find()) {
      int port = Integer.parseInt(m.group(2));
      long uid = Long.parseLong(m.group(3));
      long packets = Long.parseLong(m.group(4));
      if (port > 0 && port <= 0xffff && packets > 0) {
        out.add(new BlockedCount(m.group(1), port, uid, packets));
      }
    }
    return out;
  }

  /** Where {@code nft} is ({@link Nft#binary}). */
  static String nftBinary() {
    return Nft.binary();
  }

  private String run(List<String> arguments, String input) throws IOException {
    return Nft.run(commandPrefix, arguments, input, MAX_OUTPUT);
  }
}
