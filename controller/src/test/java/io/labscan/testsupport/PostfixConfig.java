package io.labscan.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * How the tests run a real Postfix (the end-to-end test's mail exchanger and relay, the report
 * tests' campus relay): from a configuration folder of its own ({@code postfix -c DIR/config}),
 * with its queue, data, log and Maildirs in that folder, so that the machine's
 * {@code /etc/postfix} is never read for configuration nor written. One master.cf and one set of
 * main.cf settings for every test Postfix; each adds where it listens and where mail goes.
 */
public final class PostfixConfig {
  private static final String MASTER_CF = """
      %s      inet  n       -       n       -       -       smtpd
      pickup    unix  n       -       n       60      1       pickup
      cleanup   unix  n       -       n       -       0       cleanup
      qmgr      unix  n       -       n       300     1       qmgr
      rewrite   unix  -       -       n       -       -       trivial-rewrite
      bounce    unix  -       -       n       -       0       bounce
      defer     unix  -       -       n       -       0       bounce
      trace     unix  -       -       n       -       0       bounce
      verify    unix  -       -       n       -       1       verify
      flush     unix  n       -       n       1000?   0       flush
      proxymap  unix  -       -       n       -       -       proxymap
      smtp      unix  -       -       n       -       -       smtp
      relay     unix  -       -       n       -       -       smtp
      showq     unix  n       -       n       -       -       showq
      error     unix  -       -       n       -       -       error
      retry     unix  -       -       n       -       -       error
      discard   unix  -       -       n       -       -       discard
      local     unix  -       n       n       -       -       local
      virtual   unix  -       n       n       -       -       virtual
      anvil     unix  -       -       n       -       1       anvil
      scache    unix  -       -       n       -       1       scache
      postlog   unix-dgram n  -       n       -       1       postlogd
      """;

  /** The TLS session cache manager, for a Postfix that offers STARTTLS. */
  public static final String TLSMGR = "tlsmgr    unix  -       -       n       1000?   1       tlsmgr\n";

  private PostfixConfig() {}

  /**
   * The master.cf: smtpd on {@code smtpdListen} ({@code smtp} for port 25 of the
   * {@code inet_interfaces}, or {@code 127.0.0.1:PORT}), the services that queue, relay and
   * deliver into virtual Maildirs, then {@code extraServices} (e.g. {@link #TLSMGR}).
   */
  public static String masterCf(String smtpdListen, String... extraServices) {
    return MASTER_CF.formatted(Objects.requireNonNull(smtpdListen, "smtpdListen")) + String.join("", extraServices);
  }

  /**
   * The main.cf settings of every test Postfix in {@code dir}: named {@code hostname} (its domain
   * the name without the first label), IPv4, loopback trusted, queue, data and log in
   * {@code dir}, no aliases, no DNS and no reverse lookups (the test networks have none).
   */
  public static String mainCf(Path dir, String hostname) {
    return """
        compatibility_level = 3.6
        myhostname = %s
        mydomain = %s
        myorigin = $mydomain
        inet_protocols = ipv4
        mynetworks = 127.0.0.0/8
        queue_directory = %s
        data_directory = %s
        maillog_file = %s
        maillog_file_prefixes = %s
        alias_maps =
        alias_database =
        smtpd_peername_lookup = no
        smtp_dns_support_level = disabled
        biff = no
        """.formatted(hostname, hostname.substring(hostname.indexOf('.') + 1), dir.resolve("queue"),
        dir.resolve("data"), dir.resolve("maillog"), dir);
  }

  /**
   * Creates {@code dir} and its {@code config}, {@code queue} and {@code data} folders,
   * world-traversable (Postfix's own users must reach them, which a build folder under root's
   * home would not allow), {@code data} owned by {@code postfix}, and writes {@code config/master.cf}.
   */
  public static void prepare(Path dir, String masterCf) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String sub : List.of("config", "queue", "data")) {
      Files.createDirectories(dir.resolve(sub));
      Files.setPosixFilePermissions(dir.resolve(sub), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(dir.resolve("data"), users.lookupPrincipalByName("postfix"));
    Files.writeString(dir.resolve("config/master.cf"), masterCf);
  }

  /** The messages delivered into {@code maildir} so far ({@code new/} and {@code cur/}, each in name order). */
  public static List<Path> delivered(Path maildir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (String sub : List.of("new", "cur")) {
      Path folder = maildir.resolve(sub);
      if (Files.isDirectory(folder)) {
        try (Stream<Path> files = Files.list(folder)) {
          files.filter(Files::isRegularFile).sorted().forEach(out::add);
        }
      }
    }
    return out;
  }
}
