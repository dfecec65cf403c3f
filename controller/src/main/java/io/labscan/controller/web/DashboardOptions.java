package io.labscan.controller.web;

import java.net.URI;
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

  public Optional<URI> alertWebhook() {
    return Optional.ofNullable(alertWebhook);
  }

  public Optional<String> alertSyslog() {
    return Optional.ofNullable(alertSyslog);
  }

  public boolean secureCookies() {
    return secureCookies;
  }

  /** Options as they are without any flag (the demo). */
  public static DashboardOptions defaults() {
    return new DashboardOptions();
  }
}
