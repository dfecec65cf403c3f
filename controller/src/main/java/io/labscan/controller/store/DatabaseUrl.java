package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@code --db} names: a SQLite file (the embedded default, a plain path as always) or a
 * PostgreSQL database, {@code postgresql://HOST[:PORT][,HOST2[:PORT]...]/DATABASE[?PARAMETERS]}
 * (also {@code postgres://}, the libpq spellings).
 *
 * <p><b>No secrets in the value.</b> A command line is readable by every user of the machine
 * ({@code ps}, {@code /proc/PID/cmdline}) and lands in shell history and unit files, so a URL
 * holding a password ({@code USER:PASSWORD@HOST}, {@code ?password=}, {@code ?sslpassword=}) is
 * refused, with an error that names the problem but never repeats the value. The user name may
 * be given ({@code postgresql://labscan@db.example.edu/labscan}); the password comes from
 * {@link DatabaseCredentials} (a file or the environment).
 *
 * <p><b>Parameters.</b> Only libpq's names for what a controller needs are accepted, and any
 * other is refused naming it (a typo such as {@code sslmode=verify_full} must not silently
 * connect without verification): {@code sslmode} (disable, allow, prefer, require, verify-ca,
 * verify-full), {@code sslrootcert}, {@code sslcert}, {@code sslkey} (files),
 * {@code connect_timeout} (seconds), {@code application_name}, {@code target_session_attrs}
 * (any, read-write, primary, standby, prefer-standby). They are handed to the PostgreSQL JDBC
 * driver under its own names ({@link Postgres#driverProperties}).
 *
 * <p><b>TLS by default.</b> Without {@code sslmode} a database on another machine is reached
 * with {@code verify-full} (TLS, the server's certificate checked against {@code sslrootcert}
 * and its name against the host), never libpq's {@code prefer}, which accepts any certificate
 * and falls back to plain text; a database on loopback gets {@code prefer}.
 */
public sealed interface DatabaseUrl permits DatabaseUrl.EmbeddedFile, DatabaseUrl.Postgres {

  /** The accepted query parameters. */
  Set<String> PARAMETERS = Set.of("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout",
      "application_name", "target_session_attrs", "user");
  /** The accepted sslmode values (libpq's). */
  Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  /** The default PostgreSQL port. */
  int DEFAULT_PORT = 5432;

  /** Parses a {@code --db} value; IllegalArgumentException naming the problem (never echoing a secret). */
  static DatabaseUrl parse(String value) {
    requireNonNull(value, "value");
    String v = value.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("--db is empty: give a SQLite file or postgresql://HOST/DATABASE");
    }
    String lower = v.toLowerCase(Locale.ROOT);
    if (lower.startsWith("postgresql://") || lower.startsWith("postgres://")) {
      return Postgres.parseUrl(v.substring(v.indexOf("://") + 3));
    }
    if (lower.startsWith("jdbc:")) {
      throw new IllegalArgumentException("--db takes postgresql://HOST/DATABASE (libpq form), not a jdbc: URL");
    }
    if (Pattern.compile("^[a-z][a-z0-9+.-]*://").matcher(lower).find()) {
      throw new IllegalArgumentException("--db: unknown database URL scheme '" + lower.substring(0, lower.indexOf("://"))
          + "': give a SQLite file path or postgresql://HOST[:PORT]/DATABASE");
    }
    try {
      return new EmbeddedFile(Path.of(v));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("--db: not a usable file path: " + e.getReason());
    }
  }

  /** The database file when this names one (the embedded SQLite default); empty for a server. */
  default Optional<Path> localFile() {
    return this instanceof EmbeddedFile f ? Optional.of(f.file()) : Optional.empty();
  }

  /** A SQLite database file (the embedded default). */
  record EmbeddedFile(Path file) implements DatabaseUrl {
    public EmbeddedFile {
      requireNonNull(file, "file");
    }

    @Override
    public String toString() {
      return file.toString();
    }
  }

  /** One host of a PostgreSQL URL. */
  record HostPort(String host, int port) {
    public HostPort {
      requireNonNull(host, "host");
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("--db: port " + port + " is out of range 1-65535");
      }
    }

    boolean loopback() {
      String h = host.toLowerCase(Locale.ROOT);
      return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /**
   * A PostgreSQL database: its hosts (the driver tries them in order, for a primary/standby
   * pair), the database name, the user if the URL names one, and the accepted parameters with
   * {@code sslmode} always present (the default applied).
   */
  record Postgres(List<HostPort> hosts, String database, Optional<String> user, Map<String, String> parameters)
      implements DatabaseUrl {
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,252})?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public Postgres {
      hosts = List.copyOf(hosts);
      requireNonNull(database, "database");
      requireNonNull(user, "user");
      parameters = Map.copyOf(parameters);
      if (hosts.isEmpty()) {
        throw new IllegalArgumentException("--db: the PostgreSQL URL names no host");
      }
    }

    static Postgres parseUrl(String rest) {
      String query = "";
      int q = rest.indexOf('?');
      if (q >= 0) {
        query = rest.substring(q + 1);
        rest = rest.substring(0, q);
      }
      int slash = rest.indexOf('/');
      String authority = slash < 0 ? rest : rest.substring(0, slash);
      String path = slash < 0 ? "" : rest.substring(slash + 1);
      Optional<String> user = Optional.empty();
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        String userInfo = authority.substring(0, at);
        authority = authority.substring(at + 1);
        if (userInfo.contains(":")) {
          throw new IllegalArgumentException("--db: the PostgreSQL URL contains a password (USER:PASSWORD@HOST). "
              + "Passwords never go on the command line, where other users and shell history can read them: "
              + "put it in a file given with --db-password-file (mode 0600), or in LABSCAN_DB_PASSWORD");
        }
        String name = decode(userInfo, "user name");
        if (name.isEmpty()) {
          throw new IllegalArgumentException("--db: the user name before '@' is empty");
        }
        user = Optional.of(name);
      }
      List<HostPort> hosts = new ArrayList<>();
      for (String one : authority.split(",", -1)) {
        hosts.add(hostPort(one));
      }
      String database = decode(path, "database name");
      if (database.isEmpty()) {
        throw new IllegalArgumentException("--db: the PostgreSQL URL names no database (postgresql://HOST/DATABASE)");
      }
      if (database.contains("/")) {
        throw new IllegalArgumentException("--db: the database name may not contain '/'");
      }
      Map<String, String> parameters = new LinkedHashMap<>();
      if (!query.isEmpty()) {
        for (String pair : query.split("&", -1)) {
          int eq = pair.indexOf('=');
          String key = decode(eq < 0 ? pair : pair.substring(0, eq), "parameter name").toLowerCase(Locale.ROOT);
          if (key.equals("password") || key.equals("sslpassword")) {
            throw new IllegalArgumentException("--db: the PostgreSQL URL contains a password (?" + key + "=). "
                + "Passwords never go on the command line, where other users and shell history can read them: "
                + "put it in a file given with --db-password-file (mode 0600), or in LABSCAN_DB_PASSWORD"
                + (key.equals("sslpassword") ? " (and use an unencrypted key file readable by the controller only)" : ""));
          }
          if (!PARAMETERS.contains(key)) {
            throw new IllegalArgumentException("--db: unknown PostgreSQL URL parameter '" + key + "' (accepted: "
                + String.join(", ", new java.util.TreeSet<>(PARAMETERS)) + ")");
          }
          if (eq < 0) {
            throw new IllegalArgumentException("--db: parameter '" + key + "' has no value (" + key + "=...)");
          }
          if (parameters.containsKey(key)) {
            throw new IllegalArgumentException("--db: parameter '" + key + "' is given twice");
          }
          parameters.put(key, decode(pair.substring(eq + 1), "value of " + key));
        }
      }
      String queryUser = parameters.remove("user");
      if (queryUser != null) {
        if (user.isPresent() && !user.get().equals(queryUser)) {
          throw new IllegalArgumentException("--db: two different users: '" + user.get() + "@' and ?user=" + queryUser);
        }
        user = Optional.of(queryUser);
      }
      String mode = parameters.get("sslmode");
      if (mode == null) {
        boolean local = hosts.stream().allMatch(HostPort::loopback);
        parameters.put("sslmode", local ? "prefer" : "verify-full");
      } else if (!SSL_MODES.contains(mode)) {
        throw new IllegalArgumentException("--db: sslmode '" + mode + "' is not one of "
            + String.join(", ", List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full")));
      }
      String timeout = parameters.get("connect_timeout");
      if (timeout != null && !timeout.matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException("--db: connect_timeout must be whole seconds, not '" + timeout + "'");
      }
      String attrs = parameters.get("target_session_attrs");
      if (attrs != null && !TARGETS.containsKey(attrs)) {
        throw new IllegalArgumentException("--db: target_session_attrs '" + attrs + "' is not one of "
            + String.join(", ", new java.util.TreeSet<>(TARGETS.keySet())));
      }
      return new Postgres(hosts, database, user, parameters);
    }

    private static final Map<String, String> TARGETS = Map.of("any", "any", "read-write", "primary",
        "primary", "primary", "standby", "secondary", "prefer-standby", "preferSecondary");

    private static HostPort hostPort(String text) {
      String host;
      String port = "";
      if (text.startsWith("[")) {
        int close = text.indexOf(']');
        if (close < 0) {
          throw new IllegalArgumentException("--db: unclosed '[' in an IPv6 host");
        }
        host = text.substring(1, close);
        String after = text.substring(close + 1);
        if (!after.isEmpty()) {
          if (!after.startsWith(":")) {
            throw new IllegalArgumentException("--db: unexpected text after an IPv6 host");
          }
          port = after.substring(1);
        }
        if (!IPV6.matcher(host).matches()) {
          throw new IllegalArgumentException("--db: not an IPv6 address in brackets");
        }
      } else {
        int colon = text.indexOf(':');
        host = colon < 0 ? text : text.substring(0, colon);
        port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.isEmpty()) {
          throw new IllegalArgumentException("--db: the PostgreSQL URL names no host (postgresql://HOST/DATABASE)");
        }
        if (!HOST.matcher(host).matches()) {
          throw new IllegalArgumentException("--db: '" + host + "' is not a host name or address");
        }
      }
      int number = DEFAULT_PORT;
      if (!port.isEmpty()) {
        if (!port.matches("[0-9]{1,5}")) {
          throw new IllegalArgumentException("--db: port '" + port + "' is not a number");
        }
        number = Integer.parseInt(port);
      }
      return new HostPort(host, number);
    }

    private static String decode(String text, String what) {
      try {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--db: bad %-escape in the " + what);
      }
    }

    /** {@code jdbc:postgresql://HOST:PORT[,...]/DATABASE}, without parameters or credentials. */
    public String jdbcUrl() {
      StringBuilder b = new StringBuilder("jdbc:postgresql://");
      for (int i = 0; i < hosts.size(); i++) {
        b.append(i == 0 ? "" : ",").append(hosts.get(i));
      }
      return b.append('/').append(java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20"))
          .toString();
    }

    public String sslMode() {
      return parameters.get("sslmode");
    }

    /**
     * The driver's connection properties: the credentials and the URL's parameters under the
     * PostgreSQL JDBC driver's names ({@code sslmode}, {@code sslrootcert},
     * {@code sslcert}, {@code sslkey}, {@code connectTimeout}, {@code ApplicationName} — by
     * default {@code labscan-controller} — and {@code targetServerType}).
     */
    public Properties driverProperties(DatabaseCredentials credentials) {
      requireNonNull(credentials, "credentials");
      Properties p = new Properties();
      p.setProperty("user", credentials.user());
      credentials.password().ifPresent(pw -> p.setProperty("password", pw));
      String mode = sslMode();
      p.setProperty("sslmode", mode); // the driver's sslmode decides over its older 'ssl' flag
      for (String file : List.of("sslrootcert", "sslcert", "sslkey")) {
        if (parameters.containsKey(file)) {
          p.setProperty(file, parameters.get(file));
        }
      }
      if (parameters.containsKey("connect_timeout")) {
        p.setProperty("connectTimeout", parameters.get("connect_timeout"));
      }
      p.setProperty("ApplicationName", parameters.getOrDefault("application_name", "labscan-controller"));
      if (parameters.containsKey("target_session_attrs")) {
        p.setProperty("targetServerType", TARGETS.get(parameters.get("target_session_attrs")));
      }
      return p;
    }

    /**
     * The TLS files the parameters name that are missing or unreadable, in words (empty when
     * all are there): checked before connecting so that the error names the parameter.
     */
    public List<String> missingFiles() {
      List<String> out = new ArrayList<>();
      for (String file : List.of("sslrootcert", "sslcert", "sslkey")) {
        String value = parameters.get(file);
        if (value != null && !Files.isReadable(Path.of(value))) {
          out.add(file + " " + value + " does not exist or is not readable");
        }
      }
      return out;
    }

    /** The URL in the libpq form, without secrets (there are none to hide: they are never accepted). */
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("postgresql://");
      user.ifPresent(u -> b.append(u).append('@'));
      for (int i = 0; i < hosts.size(); i++) {
        b.append(i == 0 ? "" : ",").append(hosts.get(i));
      }
      b.append('/').append(database);
      String sep = "?";
      for (var e : new java.util.TreeMap<>(parameters).entrySet()) {
        b.append(sep).append(e.getKey()).append('=').append(e.getValue());
        sep = "&";
      }
      return b.toString();
    }
  }
}
