package io.labscan.controller.web;

import io.labscan.controller.fleet.Cidr;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The web UI's and alerts' options of {@code serve} (a picocli mixin, so they live here and
 * the serve command only mixes them in).
 */
public final class DashboardOptions {
  @Option(names = "--alert-webhook", paramLabel = "URL",
      description = "POST a JSON alert to URL when a host becomes INFECTED or SUSPECTED.")
  URI alertWebhook;

  @Option(names = "--alert-syslog", paramLabel = "TARGET",
      description = "Send an RFC 5424 syslog alert when a host becomes INFECTED or SUSPECTED: "
          + "HOST:PORT or udp://HOST:PORT (UDP), tcp://HOST:PORT (TCP, octet counting), or file:PATH.")
  String alertSyslog;

  @Option(names = "--http-secure-cookies",
      description = "Mark session cookies Secure even on plain HTTP: use behind a TLS-terminating proxy.")
  boolean secureCookies;

  @Option(names = "--http-host", paramLabel = "NAME",
      description = "A host name the web UI answers to (repeatable). IP addresses, localhost and this machine's "
          + "name are always allowed; requests naming any other Host are refused with 421 (DNS rebinding).")
  List<String> httpHosts = new ArrayList<>();

  @Option(names = "--http-trusted-proxy", paramLabel = "CIDR",
      description = "A reverse proxy (subnet, e.g. 127.0.0.1/32; repeatable) whose X-Forwarded-For header names "
          + "the client: login throttling then counts the client's address, not the proxy's.")
  List<String> trustedProxies = new ArrayList<>();

  public Optional<URI> alertWebhook() {
    return Optional.ofNullable(alertWebhook);
  }

  public Optional<String> alertSyslog() {
    return Optional.ofNullable(alertSyslog);
  }

  public boolean secureCookies() {
    return secureCookies;
  }

  /** The {@code --http-host} names. */
  public List<String> httpHosts() {
    return List.copyOf(httpHosts);
  }

  /** The {@code --http-trusted-proxy} subnets; a bad one is an IllegalArgumentException naming it. */
  public List<Cidr> trustedProxies() {
    List<Cidr> out = new ArrayList<>();
    for (String t : trustedProxies) {
      try {
        out.add(Cidr.parse(t.indexOf('/') < 0 ? t + (t.indexOf(':') < 0 ? "/32" : "/128") : t));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--http-trusted-proxy: " + e.getMessage());
      }
    }
    return out;
  }

  /** Checks the options that can be wrong, so serve refuses them before it starts anything. */
  public void validate() {
    trustedProxies();
    httpHosts.forEach(HttpGuard::checkedName);
  }

  /** Options as they are without any flag (the demo). */
  public static DashboardOptions defaults() {
    return new DashboardOptions();
  }
}
