package io.labscan.controller.report;

import io.labscan.contract.trust.OwnerOnlyFiles;
import java.io.IOException;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The scheduled reports' options of {@code serve} (a picocli mixin): the campus SMTP relay,
 * STARTTLS, credentials (the password from a file, never the command line) and the sender.
 * {@link #relay()} refuses a bad combination at start, naming the option, rather than failing
 * the first report a week later.
 */
public final class ReportMailOptions {
  static final int MAX_PASSWORD_FILE = 4096;
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*");

  @Option(names = "--report-smtp", paramLabel = "HOST:PORT",
      description = "The SMTP relay scheduled compliance reports are sent through (e.g. smtp.campus.example:587); "
          + "without it nothing is sent (subscriptions wait).")
  @Nullable String smtp;

  @Option(names = "--report-smtp-starttls",
      description = "Upgrade the relay connection with STARTTLS, and refuse a relay that does not offer it; "
          + "the relay's certificate must match its name.")
  boolean startTls;

  @Option(names = "--report-smtp-user", paramLabel = "NAME",
      description = "SMTP AUTH user name at the relay (needs --report-smtp-password-file and --report-smtp-starttls).")
  @Nullable String user;

  @Option(names = "--report-smtp-password-file", paramLabel = "FILE",
      description = "File whose first line is the SMTP AUTH password; keep it readable by the controller's account only.")
  @Nullable Path passwordFile;

  @Option(names = "--report-smtp-ca", paramLabel = "FILE",
      description = "PEM CA certificate(s) the relay's STARTTLS certificate must chain to (default: the system's CAs).")
  @Nullable Path ca;

  @Option(names = "--report-from", paramLabel = "ADDRESS",
      description = "The sender address of report mail (e.g. labscan@campus.example); required with --report-smtp.")
  @Nullable String from;

  @Option(names = "--report-dashboard-url", paramLabel = "URL",
      description = "The dashboard's address as report recipients reach it (e.g. https://labscan.campus.example), "
          + "for the link in the mail that asks a new address to confirm; without it the mail carries a code to "
          + "enter on the dashboard's /reports/confirm page.")
  @Nullable String dashboardUrl;

  /**
   * The dashboard's address for confirmation links, or empty; an IllegalArgumentException names
   * the option (http or https, no user, query or fragment).
   */
  public Optional<java.net.URI> dashboardUrl() {
    if (dashboardUrl == null) {
      return Optional.empty();
    }
    if (smtp == null) {
      throw new IllegalArgumentException("--report-dashboard-url needs --report-smtp HOST:PORT");
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(dashboardUrl.strip());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("--report-dashboard-url " + dashboardUrl + " is not a URL", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("--report-dashboard-url " + dashboardUrl
          + " must be an http(s) address like https://labscan.campus.example (no user, query or fragment)");
    }
    return Optional.of(uri);
  }

  /** The relay, or empty when {@code --report-smtp} is not given; an IllegalArgumentException names the option. */
  public Optional<SmtpRelay> relay() {
    if (smtp == null) {
      if (startTls || user != null || passwordFile != null || ca != null || from != null) {
        throw new IllegalArgumentException("--report-smtp-starttls, --report-smtp-user, --report-smtp-password-file, "
            + "--report-smtp-ca and --report-from need --report-smtp HOST:PORT");
      }
      return Optional.empty();
    }
    String[] hostPort = hostPort(smtp);
    int port;
    try {
      port = Integer.parseInt(hostPort[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--report-smtp " + smtp + ": the port must be a number 1-65535", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("--report-smtp " + smtp + ": the port must be 1-65535");
    }
    if (from == null) {
      throw new IllegalArgumentException("--report-smtp needs --report-from ADDRESS (the sender of report mail)");
    }
    String sender;
    try {
      sender = ReportSubscriptions.address(from);
    } catch (ReportSubscriptions.Refused e) {
      throw new IllegalArgumentException("--report-from " + String.valueOf(e.getMessage()).replaceFirst("^email: ", ""), e);
    }
    if ((user == null) != (passwordFile == null)) {
      throw new IllegalArgumentException("--report-smtp-user and --report-smtp-password-file go together");
    }
    if (user != null && !startTls) {
      throw new IllegalArgumentException("--report-smtp-user needs --report-smtp-starttls: the password is never "
          + "sent to the relay in clear");
    }
    if (ca != null) {
      if (!startTls) {
        throw new IllegalArgumentException("--report-smtp-ca needs --report-smtp-starttls");
      }
      SmtpReportMailer.socketFactory(ca);
    }
    Optional<String> password = passwordFile == null ? Optional.empty() : Optional.of(password(passwordFile));
    return Optional.of(new SmtpRelay(hostPort[0], port, startTls, Optional.ofNullable(user), password, sender,
        Optional.ofNullable(ca)));
  }

  /** {@code host:port} or {@code [v6]:port}; the host a DNS name or an IP literal. */
  static String[] hostPort(String text) {
    String t = text.strip();
    String host;
    String port;
    if (t.startsWith("[")) {
      int close = t.indexOf("]:");
      if (close < 0) {
        throw new IllegalArgumentException("--report-smtp " + text + ": write an IPv6 relay as [ADDRESS]:PORT");
      }
      host = t.substring(1, close);
      port = t.substring(close + 2);
      if (!host.matches("[0-9A-Fa-f:.]+")) {
        throw new IllegalArgumentException("--report-smtp " + text + ": " + host + " is not an IPv6 address");
      }
    } else {
      int colon = t.lastIndexOf(':');
      if (colon < 1 || t.indexOf(':') != colon) {
        throw new IllegalArgumentException("--report-smtp " + text + ": give HOST:PORT, e.g. smtp.campus.example:587");
      }
      host = t.substring(0, colon);
      port = t.substring(colon + 1);
      String ascii;
      try {
        ascii = IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--report-smtp " + text + ": " + host + " is not a host name", e);
      }
      if (ascii.length() > 253 || !HOST.matcher(ascii).matches()) {
        throw new IllegalArgumentException("--report-smtp " + text + ": " + host + " is not a host name or address");
      }
      host = ascii;
    }
    return new String[] {host, port};
  }

  /**
   * The first line of {@code file}, which must be a regular file readable by its owner only
   * (checked with the same {@link OwnerOnlyFiles#isOwnerOnly} as the database and OIDC secret
   * files): a relay password other accounts on the controller can read is refused at start,
   * naming the file and the fix, rather than used.
   */
  static String password(Path file) {
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("--report-smtp-password-file " + file + " does not exist or is not a file");
      }
      if (!OwnerOnlyFiles.isOwnerOnly(file)) {
        throw new IllegalArgumentException("--report-smtp-password-file " + file + " is readable by other users: "
            + "make it owner-only (chmod 600 " + file + ")");
      }
      if (Files.size(file) > MAX_PASSWORD_FILE) {
        throw new IllegalArgumentException("--report-smtp-password-file " + file + " is larger than "
            + MAX_PASSWORD_FILE + " bytes: is it the right file?");
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      String line = end < 0 ? text : text.substring(0, end);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.isEmpty()) {
        throw new IllegalArgumentException("--report-smtp-password-file " + file + " holds no password on its first line");
      }
      return line;
    } catch (IOException e) {
      throw new IllegalArgumentException("--report-smtp-password-file " + file + ": cannot read it (" + e.getMessage()
          + ")", e);
    }
  }
}
