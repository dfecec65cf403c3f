package io.labscan.controller.complaint;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One watched mailbox folder, as given to {@code serve --complaint-mailbox}:
 * {@code imaps://USER@HOST[:PORT]/FOLDER} (TLS from the first byte, port 993 by default) or
 * {@code imap://USER@HOST[:PORT]/FOLDER} (port 143 by default, upgraded with STARTTLS, which is
 * required: the watch never logs in over plaintext). The folder defaults to {@code INBOX};
 * user and folder are percent-decoded ({@code abuse%40example.edu} for a user name that is an
 * address, {@code Complaints%2F2026} for a folder with a slash). A password in the URI is
 * refused: command lines are visible to every user of the machine, so it comes from a file.
 *
 * @param tls true for {@code imaps} (implicit TLS), false for {@code imap} (STARTTLS required)
 */
public record MailboxAddress(boolean tls, String user, String host, int port, String folder) {
  public MailboxAddress {
    requireNonNull(user, "user");
    requireNonNull(host, "host");
    requireNonNull(folder, "folder");
    if (user.isEmpty() || host.isEmpty() || folder.isEmpty()) {
      throw new IllegalArgumentException("a mailbox needs a user, a host and a folder");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not between 1 and 65535");
    }
  }

  /** Parses {@code imaps://user@host:993/INBOX}; the message of the exception names the problem. */
  public static MailboxAddress parse(String text) {
    requireNonNull(text, "text");
    URI uri;
    try {
      uri = new URI(text.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("mailbox " + text + " is not a URI: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("imaps") && !scheme.equals("imap")) {
      throw new IllegalArgumentException("mailbox " + text + ": use imaps://USER@HOST:993/FOLDER (or imap:// with "
          + "STARTTLS), not " + (scheme.isEmpty() ? "no scheme" : scheme + "://"));
    }
    String rawUser = uri.getRawUserInfo();
    if (rawUser == null || rawUser.isEmpty()) {
      throw new IllegalArgumentException("mailbox " + text + " names no user (imaps://USER@HOST/FOLDER)");
    }
    if (rawUser.indexOf(':') >= 0) {
      throw new IllegalArgumentException("mailbox " + redact(text) + " holds a password: give it in a file with "
          + "--complaint-password-file (command lines are visible to other users)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("mailbox " + text + " names no host");
    }
    boolean tls = scheme.equals("imaps");
    int port = uri.getPort() < 0 ? (tls ? 993 : 143) : uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String folder = path.isEmpty() || path.equals("/") ? "INBOX" : decode(path.substring(1));
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("mailbox " + text + ": no query or fragment is read");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new MailboxAddress(tls, decode(rawUser), host, port, folder);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad percent-encoding in " + s);
    }
  }

  private static String redact(String text) {
    return text.replaceAll("(?<=://)([^:/@]*):[^@]*@", "$1:***@");
  }

  /** The protocol name Jakarta Mail knows the store by. */
  String protocol() {
    return tls ? "imaps" : "imap";
  }

  /** The canonical name, without a password: the key of this mailbox's rows in the database. */
  public String key() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host.toLowerCase(Locale.ROOT);
    return protocol() + "://" + user + "@" + h + ":" + port + "/" + folder;
  }

  @Override
  public String toString() {
    return key();
  }
}
