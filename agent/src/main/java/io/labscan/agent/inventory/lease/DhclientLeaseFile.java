package io.labscan.agent.inventory.lease;

import io.labscan.contract.net.Addresses;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads ISC dhclient lease files ({@code /var/lib/dhcp/dhclient.eth0.leases}, {@code
 * /var/lib/dhclient/*.lease}, NetworkManager's {@code dhclient-<uuid>-eth0.lease}). dhclient
 * appends a {@code lease { … }} block at each renewal, so a file holds the history of an
 * interface: for an address the block read last wins.
 *
 * <pre>
 * lease {
 *   interface "eth0";
 *   fixed-address 10.20.3.17;
 *   option dhcp-lease-time 86400;
 *   renew 2 2026/12/08 03:12:45;
 *   expire 2 2026/12/08 15:22:01;      # UTC; "expire epoch 1765207321;" with db-time-format local
 * }
 * lease6 {
 *   ia-na 1e:2f:3a:4b {
 *     starts 1765119721;
 *     iaaddr 2001:db8::17 { starts 1765119721; preferred-life 7200; max-life 7200; }
 *   }
 * }
 * </pre>
 *
 * Stateless and total: text that does not parse gives no lease (the file may have been written
 * by anyone who could write there; the caller bounds what it reads).
 */
public final class DhclientLeaseFile {
  private static final Pattern FIXED = Pattern.compile("fixed-address\\s+([0-9.]{7,15})\\s*;");
  private static final Pattern EXPIRE_DATE =
      Pattern.compile("expire\\s+\\d\\s+(\\d{4}/\\d{1,2}/\\d{1,2}\\s+\\d{1,2}:\\d{2}:\\d{2})\\s*;");
  private static final Pattern EXPIRE_EPOCH = Pattern.compile("expire\\s+epoch\\s+(\\d{1,12})\\s*;");
  private static final Pattern IAADDR = Pattern.compile("iaaddr\\s+([0-9A-Fa-f:.]{2,45})\\s*\\{([^{}]*)\\}");
  private static final Pattern STARTS = Pattern.compile("starts\\s+(\\d{1,12})\\s*;");
  private static final Pattern MAX_LIFE = Pattern.compile("max-life\\s+(\\d{1,10})\\s*;");
  private static final DateTimeFormatter DHCLIENT_TIME = DateTimeFormatter.ofPattern("uuuu/M/d H:mm:ss");

  private DhclientLeaseFile() {}

  /** The leases in the file, in file order (a later one for the same address supersedes). */
  public static List<DhcpLease> parse(String text) {
    List<DhcpLease> out = new ArrayList<>();
    int at = 0;
    while (true) {
      int v4 = text.indexOf("lease {", at);
      int v6 = text.indexOf("lease6 {", at);
      int start = v4 < 0 ? v6 : v6 < 0 ? v4 : Math.min(v4, v6);
      if (start < 0) {
        break;
      }
      int end = blockEnd(text, text.indexOf('{', start));
      if (end < 0) {
        break;
      }
      String block = text.substring(start, end);
      if (start == v6) {
        lease6(block, out);
      } else {
        lease4(block).ifPresent(out::add);
      }
      at = end;
    }
    return out;
  }

  private static Optional<DhcpLease> lease4(String block) {
    Matcher ip = FIXED.matcher(block);
    if (!ip.find()) {
      return Optional.empty();
    }
    Optional<String> address = Addresses.canonical(ip.group(1));
    Optional<Instant> end = Optional.empty();
    Matcher date = EXPIRE_DATE.matcher(block);
    Matcher epoch = EXPIRE_EPOCH.matcher(block);
    if (date.find()) {
      try {
        end = Optional.of(LocalDateTime.parse(date.group(1).replaceAll("\\s+", " "), DHCLIENT_TIME)
            .toInstant(ZoneOffset.UTC));
      } catch (DateTimeParseException e) {
        end = Optional.empty();
      }
    } else if (epoch.find()) {
      end = Optional.of(Instant.ofEpochSecond(Long.parseLong(epoch.group(1))));
    }
    // "expire never;" (an infinite lease) gives no end: the address behaves like a static one.
    if (address.isEmpty() || end.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new DhcpLease(address.get(), end.get()));
  }

  private static void lease6(String block, List<DhcpLease> out) {
    Matcher addr = IAADDR.matcher(block);
    while (addr.find()) {
      Optional<String> ip = Addresses.canonical(addr.group(1));
      Matcher starts = STARTS.matcher(addr.group(2));
      Matcher life = MAX_LIFE.matcher(addr.group(2));
      if (ip.isPresent() && starts.find() && life.find()) {
        long maxLife = Long.parseLong(life.group(1));
        if (maxLife < 0xffffffffL) { // 0xffffffff is "infinite"
          out.add(new DhcpLease(ip.get(), Instant.ofEpochSecond(Long.parseLong(starts.group(1)) + maxLife)));
        }
      }
    }
  }

  /** Index just past the brace that closes the one at {@code open}, or -1. */
  private static int blockEnd(String text, int open) {
    if (open < 0) {
      return -1;
    }
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i + 1;
      }
    }
    return -1;
  }
}
