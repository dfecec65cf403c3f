package io.labscan.controller.triage;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares the origin with what the boundary MTA wrote about its client elsewhere:
 * {@code Received-SPF: … client-ip=} (RFC 7208 §9.1) and {@code Authentication-Results: …
 * (sender IP is …)} (RFC 8601, Exchange Online's wording; Google's "designates … as permitted
 * sender"; {@code policy.iprev=}; {@code smtp.remote-ip=}).
 *
 * <p>Only records the boundary itself wrote count:
 * <ul>
 *   <li>Authentication-Results with an authserv-id: only when that id is the boundary's host
 *       name or a parent domain of it (RFC 8601 §5 makes the boundary delete look-alikes);
 *   <li>Received-SPF: only when its {@code receiver=} (or the leading {@code host:} of its
 *       comment) is the boundary's host or a parent domain of it;
 *   <li>either without any writer name (Exchange Online omits the authserv-id): only when it
 *       sits above the boundary's Received: line, where a sender cannot put it.
 * </ul>
 */
final class ClientCrossCheck {
  private static final Pattern IP_MENTION =
      Pattern.compile(
          "(?i)(?:sender IP is|client-ip=|policy\\.iprev=|smtp\\.remote-ip=|designates|does not designate)"
              + "\\s*\\[?([0-9a-f.:]{2,45})\\]?");
  private static final Pattern RECEIVER = Pattern.compile("(?i)\\breceiver=([^;\\s]{1,255})");
  private static final Pattern SPF_COMMENT_HOST = Pattern.compile("^\\s*\\S+\\s*\\(([^:()\\s]{1,255}):");

  private ClientCrossCheck() {}

  static List<String> check(HeaderBlock headers, int boundary, ReceivedHop hop, String originIp) {
    List<String> notes = new ArrayList<>();
    String host = TrustConfig.normalizeHost(hop.byHost().orElse(""));
    for (MailHeader h : headers.fields()) {
      boolean ar = h.is("Authentication-Results");
      boolean spf = h.is("Received-SPF");
      if (!ar && !spf) {
        continue;
      }
      Set<String> ips = mentionedIps(h.value());
      if (ips.isEmpty()) {
        continue;
      }
      String field = h.name();
      Optional<String> writer = ar ? authservId(h.value()) : spfReceiver(h.value());
      boolean above = h.receivedAbove() <= boundary;
      String who;
      if (writer.isPresent()) {
        if (!writtenBy(writer.get(), host)) {
          notes.add(field + " from '" + writer.get() + "' ignored: not written by the boundary ("
              + (host.isEmpty() ? "unnamed MTA" : host) + ")");
          continue;
        }
        who = field + " by " + writer.get()
            + (above ? "" : " (below the boundary line, accepted for its writer name: RFC 8601"
                + " has the boundary delete look-alikes)");
      } else if (above) {
        who = field + " (no writer named; sits above the boundary line)";
      } else {
        notes.add(field + " naming no writer ignored: it sits below the boundary line, where the"
            + " sender could have written it");
        continue;
      }
      if (ips.contains(originIp) && ips.size() == 1) {
        notes.add(who + " records client " + originIp + ": agrees with hop " + boundary);
      } else {
        List<String> other = ips.stream().filter(ip -> !ip.equals(originIp)).toList();
        notes.add(who + " records client " + String.join(", ", other) + " but hop " + boundary
            + " recorded " + originIp + ": DISAGREES");
      }
    }
    return notes;
  }

  static Set<String> mentionedIps(String value) {
    Set<String> ips = new LinkedHashSet<>();
    Matcher m = IP_MENTION.matcher(value);
    while (m.find() && ips.size() < 16) {
      String text = m.group(1);
      while (text.endsWith(".") || text.endsWith(":") && !text.endsWith("::")) {
        text = text.substring(0, text.length() - 1);
      }
      Ips.canonical(text).ifPresent(ips::add);
    }
    return ips;
  }

  /** RFC 8601 authserv-id: the first word before the first ";", unless that is a method=result. */
  static Optional<String> authservId(String value) {
    String bare = stripComments(value).trim();
    int semi = bare.indexOf(';');
    String head = (semi < 0 ? bare : bare.substring(0, semi)).trim();
    if (head.isEmpty() || head.contains("=")) {
      return Optional.empty();
    }
    return Optional.of(head.split("\\s+")[0]);
  }

  static Optional<String> spfReceiver(String value) {
    Matcher r = RECEIVER.matcher(value);
    if (r.find()) {
      return Optional.of(r.group(1));
    }
    Matcher c = SPF_COMMENT_HOST.matcher(value);
    return c.find() ? Optional.of(c.group(1)) : Optional.empty();
  }

  /** The writer id is the boundary host itself or a parent domain of it (at least two labels). */
  static boolean writtenBy(String writerId, String boundaryHost) {
    String id = TrustConfig.normalizeHost(writerId);
    String host = TrustConfig.normalizeHost(boundaryHost);
    if (id.isEmpty() || host.isEmpty()) {
      return false;
    }
    return id.equals(host) || (id.indexOf('.') > 0 && host.endsWith("." + id));
  }

  private static String stripComments(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int depth = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && depth > 0) {
        depth--;
      } else if (depth == 0) {
        out.append(c);
      }
    }
    return out.toString();
  }
}
