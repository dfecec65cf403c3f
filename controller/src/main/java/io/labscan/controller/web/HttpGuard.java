package io.labscan.controller.web;

import io.labscan.controller.fleet.Cidr;
import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What every HTTP request passes before any handler runs, so no anonymous request can make the
 * controller read, buffer or compute much:
 *
 * <ul>
 *   <li><b>Host header.</b> A name the controller does not answer to is refused with 421 (against
 *       DNS rebinding: a hostile page whose name resolves to this controller would otherwise be
 *       same-origin with it). Allowed: every IP literal (a browser that dialled an address
 *       cannot be rebound), {@code localhost} and {@code *.localhost}, this machine's host name,
 *       and each {@code --http-host NAME}.
 *   <li><b>Body size per route, before the body is read.</b> A declared Content-Length over the
 *       route's limit is answered 413 at once; bodies are only ever read through {@link #body},
 *       which stops one byte past the limit, so a chunked body without a length is capped too.
 *       Login: {@link #LOGIN_BODY_BYTES}; other JSON routes (all need a session first):
 *       {@link Json#MAX_BODY_BYTES}; the triage upload (admins only):
 *       {@link TriageRunner#MAX_MESSAGE_BYTES}. Routes that need a session refuse anonymous
 *       callers before their body is touched.
 *   <li><b>Client address.</b> The TCP peer, unless the peer is a {@code --http-trusted-proxy}:
 *       then the right-most X-Forwarded-For entry that is not itself a trusted proxy (entries
 *       to its left are written by the client and worth nothing).
 * </ul>
 */
final class HttpGuard {
  /** Largest login body: a user name and a password in JSON. */
  static final int LOGIN_BODY_BYTES = 4 * 1024;
  static final String LOGIN_PATH = "/api/v1/session";
  static final String TRIAGE_PATH = "/api/v1/triage";
  private static final String CLIENT_ATTRIBUTE = "labscan.client";

  private final Set<String> allowedNames;
  private final List<Cidr> trustedProxies;

  HttpGuard(Collection<String> allowedNames, Collection<Cidr> trustedProxies) {
    Set<String> names = new LinkedHashSet<>();
    names.add("localhost");
    machineHostname().ifPresent(n -> {
      names.add(n.toLowerCase(Locale.ROOT));
      int dot = n.indexOf('.');
      if (dot > 0) {
        names.add(n.substring(0, dot).toLowerCase(Locale.ROOT));
      }
    });
    for (String n : requireNonNull(allowedNames, "allowedNames")) {
      names.add(checkedName(n));
    }
    this.allowedNames = Set.copyOf(names);
    this.trustedProxies = List.copyOf(requireNonNull(trustedProxies, "trustedProxies"));
  }

  /** A {@code --http-host} value: a DNS name (an IP literal is allowed anyway). */
  static String checkedName(String name) {
    String n = requireNonNull(name, "name").trim().toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.isEmpty() || n.length() > 253 || !n.matches("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*")) {
      throw new IllegalArgumentException("--http-host '" + name + "' is not a host name");
    }
    return n;
  }

  /** The before-handler: Host header, declared body size, client address. */
  void check(Context ctx) {
    String host = ctx.header("Host");
    if (!hostAllowed(host)) {
      ctx.header("Connection", "close");
      throw new ApiError(421, "this controller does not answer to the host name '" + printable(host)
          + "'; start it with --http-host NAME to allow that name (refused against DNS rebinding)");
    }
    long declared = ctx.req().getContentLengthLong();
    int limit = bodyLimit(ctx);
    if (declared > limit) {
      ctx.header("Connection", "close");
      throw tooLarge(limit);
    }
    ctx.attribute(CLIENT_ATTRIBUTE, clientAddress(ctx.req().getRemoteAddr(), java.util.Collections.list(ctx.req().getHeaders("X-Forwarded-For"))));
  }

  /** The request's body, read up to the route's limit; 413 past it. */
  static byte[] body(Context ctx) {
    int limit = bodyLimit(ctx);
    long declared = ctx.req().getContentLengthLong();
    if (declared > limit) {
      ctx.header("Connection", "close");
      throw tooLarge(limit);
    }
    byte[] bytes;
    try (InputStream in = ctx.req().getInputStream()) {
      bytes = in.readNBytes(limit + 1);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
    if (bytes.length > limit) {
      ctx.header("Connection", "close");
      throw tooLarge(limit);
    }
    return bytes;
  }

  /** The client's address as decided by {@link #check}. */
  static String client(Context ctx) {
    String client = ctx.attribute(CLIENT_ATTRIBUTE);
    return client != null ? client : ctx.req().getRemoteAddr();
  }

  static int bodyLimit(Context ctx) {
    String path = ctx.path();
    if (path.endsWith("/") && path.length() > 1) {
      path = path.substring(0, path.length() - 1);
    }
    if (ctx.method() == HandlerType.POST && path.equals(TRIAGE_PATH)) {
      return TriageRunner.MAX_MESSAGE_BYTES;
    }
    if (path.equals(LOGIN_PATH)) {
      return LOGIN_BODY_BYTES;
    }
    return Json.MAX_BODY_BYTES;
  }

  private static ApiError tooLarge(int limit) {
    return new ApiError(413, "request body larger than " + limit + " bytes (the limit of this route)");
  }

  boolean hostAllowed(String hostHeader) {
    if (hostHeader == null || hostHeader.isEmpty() || hostHeader.length() > 300) {
      return false;
    }
    String host = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return close > 0 && Cidr.literal(host.substring(1, close)).isPresent()
          && (close == host.length() - 1 || isPort(host.substring(close + 1)));
    }
    int colon = host.indexOf(':');
    if (colon >= 0) {
      if (!isPort(host.substring(colon))) {
        return false;
      }
      host = host.substring(0, colon);
    }
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (Cidr.literal(host).isPresent()) {
      return true;
    }
    return allowedNames.contains(host) || host.endsWith(".localhost");
  }

  private static boolean isPort(String colonAndDigits) {
    return colonAndDigits.length() >= 2 && colonAndDigits.length() <= 6 && colonAndDigits.charAt(0) == ':'
        && colonAndDigits.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * What {@link #clientAddress} answers when the forwarded chain has no address before its first
   * unparseable entry (a proxy that did not append the peer): one fixed key, never the trusted
   * proxy's own address, which every client behind the proxy shares.
   */
  static final String UNPARSEABLE_FORWARDED = "forwarded-for-unparseable";

  /**
   * The client: the peer, or what a trusted proxy says the client was. The chain is walked from
   * the right (the entries the trusted proxies appended) over trusted proxies; the first
   * untrusted address is the client. An unparseable entry stops the walk at the last address
   * already checked (the hop nearest to it): the client side wrote it, and taking the peer
   * instead would let one client (with junk, or with more entries than a split limit) be taken
   * for the proxy and lock everyone behind it out. No split limit: Jetty caps the header size.
   */
  String clientAddress(String peer, List<String> forwardedFor) {
    if (trustedProxies.isEmpty() || !trusted(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String part : header.split(",", -1)) {
        hops.add(part.trim());
      }
    }
    String lastChecked = null;
    for (int i = hops.size() - 1; i >= 0; i--) {
      String hop = hops.get(i);
      if (Cidr.literal(hop).isEmpty()) {
        return lastChecked != null ? lastChecked : UNPARSEABLE_FORWARDED;
      }
      if (!trusted(hop)) {
        return hop;
      }
      lastChecked = hop;
    }
    return lastChecked != null ? lastChecked : peer;
  }

  private boolean trusted(String ip) {
    return trustedProxies.stream().anyMatch(c -> c.contains(ip));
  }

  private static Optional<String> machineHostname() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      return name == null || name.isBlank() ? Optional.empty() : Optional.of(name);
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static String printable(String s) {
    if (s == null) {
      return "";
    }
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
