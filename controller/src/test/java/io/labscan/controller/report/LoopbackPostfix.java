package io.labscan.controller.report;

import io.labscan.testsupport.FreePorts;
import io.labscan.testsupport.LoopbackCertificate;
import io.labscan.testsupport.PostfixConfig;
import io.labscan.testsupport.Requirements;
import io.labscan.testsupport.TestFolders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Postfix as the campus relay, run like the end-to-end test's ({@code e2e/Postfix}: the
 * same master.cf services and main.cf settings ({@link PostfixConfig}), {@code postfix -c DIR
 * start} from a configuration folder of its own, queue, data, log and Maildirs in a temporary
 * folder, the machine's {@code /etc/postfix} never read nor written), but on loopback of this namespace at a free port,
 * with STARTTLS offered on a self-signed certificate for 127.0.0.1 made here, and SMTP AUTH
 * required through Dovecot's auth service when asked ({@link Sasl}). It delivers the
 * test domain {@code campus.example} into Maildirs (its own, or {@link #deliveringInto} one an
 * IMAP server serves). Needs root and the postfix package: skips loudly without them (fails with
 * LABSCAN_STRICT=1).
 */
public final class LoopbackPostfix implements AutoCloseable {
  static final int MAILBOX_UID = 65534;
  public static final String DOMAIN = "campus.example";
  /** The name it writes into its {@code Received:} lines. */
  public static final String HOSTNAME = "relay.campus.test";

  /**
   * SMTP AUTH at the relay, as a campus relay requires it: Postfix's SASL server is Dovecot's
   * auth service (a real Dovecot, auth only, from a configuration of its own in the relay's
   * folder, users from a passwd-file), offering only {@code mechanisms} and only after
   * STARTTLS ({@code smtpd_tls_auth_only}); a client that does not authenticate may not send.
   */
  record Sasl(String user, String password, String mechanisms) {}

  private final Path dir;
  private final Path postfix;
  public final int port;
  final Path certificate;
  private @org.jspecify.annotations.Nullable Process dovecot;

  private LoopbackPostfix(Path dir, Path postfix, int port, Path certificate) {
    this.dir = dir;
    this.postfix = postfix;
    this.port = port;
    this.certificate = certificate;
  }

  /** Starts Postfix delivering {@code mailboxes} (local parts of {@link #DOMAIN}) into Maildirs of its own. */
  static LoopbackPostfix start(List<String> mailboxes) throws Exception {
    return start(mailboxes, java.util.Optional.empty());
  }

  /** As {@link #start(List)}, requiring SMTP AUTH with {@code sasl} (Dovecot SASL) when given. */
  static LoopbackPostfix start(List<String> mailboxes, java.util.Optional<Sasl> sasl) throws Exception {
    return start(mailboxes.stream().map(box -> java.util.Map.entry(box, box + "/")).toList(), null, sasl);
  }

  /**
   * Starts Postfix delivering {@code localPart}@{@link #DOMAIN} into {@code maildir} with its
   * {@code virtual} agent, as uid/gid 65534: the Maildir an IMAP server (the test's Dovecot)
   * serves. The Maildir's parent folder is created (owned by 65534) when missing.
   */
  public static LoopbackPostfix deliveringInto(String localPart, Path maildir) throws Exception {
    Requirements.root("Postfix starts its master and drops to its own users");
    Path base = Files.createDirectories(maildir.toAbsolutePath().getParent());
    Files.setAttribute(base, "unix:uid", MAILBOX_UID);
    Files.setAttribute(base, "unix:gid", MAILBOX_UID);
    return start(List.of(java.util.Map.entry(localPart, maildir.getFileName() + "/")), base,
        java.util.Optional.empty());
  }

  private static LoopbackPostfix start(List<java.util.Map.Entry<String, String>> mailboxes,
      @org.jspecify.annotations.Nullable Path mailBase, java.util.Optional<Sasl> sasl) throws Exception {
    Requirements.root("Postfix starts its master and drops to its own users");
    Path postfix = Requirements.command("postfix", "postfix");
    Path dir = Files.createTempDirectory("labscan-report-postfix");
    int port = FreePorts.one();
    PostfixConfig.prepare(dir, PostfixConfig.masterCf("127.0.0.1:" + port, PostfixConfig.TLSMGR));
    Files.createDirectories(dir.resolve("mail"));
    Files.setPosixFilePermissions(dir.resolve("mail"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setAttribute(dir.resolve("mail"), "unix:uid", MAILBOX_UID);
    Files.setAttribute(dir.resolve("mail"), "unix:gid", MAILBOX_UID);
    Path cert = dir.resolve("config/relay.pem");
    Path key = dir.resolve("config/relay.key");
    LoopbackCertificate.write(cert, key, HOSTNAME);
    StringBuilder map = new StringBuilder();
    for (java.util.Map.Entry<String, String> box : mailboxes) {
      map.append(box.getKey()).append('@').append(DOMAIN).append(' ').append(box.getValue()).append('\n');
    }
    Files.writeString(dir.resolve("config/vmailbox"), map);
    Files.writeString(dir.resolve("config/main.cf"), PostfixConfig.mainCf(dir, HOSTNAME) + """
        inet_interfaces = 127.0.0.1
        mydestination =
        virtual_mailbox_domains = %s
        virtual_mailbox_base = %s
        virtual_mailbox_maps = texthash:%s
        virtual_uid_maps = static:%d
        virtual_gid_maps = static:%d
        smtpd_tls_cert_file = %s
        smtpd_tls_key_file = %s
        smtpd_tls_security_level = may
        smtpd_tls_loglevel = 1
        """.formatted(DOMAIN, mailBase != null ? mailBase : dir.resolve("mail"), dir.resolve("config/vmailbox"),
        MAILBOX_UID, MAILBOX_UID, cert, key));
    LoopbackPostfix p = new LoopbackPostfix(dir, postfix, port, cert);
    if (sasl.isPresent()) {
      Path socket = p.startDovecotAuth(sasl.get());
      Files.writeString(dir.resolve("config/main.cf"), """
          smtpd_sasl_auth_enable = yes
          smtpd_sasl_type = dovecot
          smtpd_sasl_path = %s
          smtpd_tls_auth_only = yes
          mynetworks = 192.0.2.1/32
          smtpd_recipient_restrictions = permit_sasl_authenticated, reject
          """.formatted(socket), java.nio.file.StandardOpenOption.APPEND);
    }
    p.run("start");
    return p;
  }

  /** Starts Dovecot's auth service only (no mail protocol) and returns its client socket for Postfix. */
  private Path startDovecotAuth(Sasl sasl) throws Exception {
    Path binary = Requirements.command("dovecot", "dovecot-core");
    Path d = Files.createDirectories(dir.resolve("dovecot"));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(d.resolve("run"));
    Files.createDirectories(d.resolve("state"));
    Files.writeString(d.resolve("passwd"), sasl.user() + ":{PLAIN}" + sasl.password() + "\n");
    Path socket = d.resolve("auth");
    Files.writeString(d.resolve("dovecot.conf"), """
        base_dir = %1$s/run
        state_dir = %1$s/state
        log_path = %1$s/dovecot.log
        protocols =
        listen = 127.0.0.1
        ssl = no
        disable_plaintext_auth = no
        auth_mechanisms = %2$s
        auth_verbose = yes
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%%u %1$s/passwd
        }
        userdb {
          driver = static
          args = uid=%3$d gid=%3$d home=/nonexistent
        }
        service auth {
          unix_listener %4$s {
            mode = 0666
          }
        }
        service anvil {
          chroot =
        }
        """.formatted(d, sasl.mechanisms(), MAILBOX_UID, socket));
    dovecot = new ProcessBuilder(binary.toString(), "-F", "-c", d.resolve("dovecot.conf").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("stdout").toFile()))
        .start();
    Process process = dovecot;
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .alias("dovecot's auth socket; its log: " + d.resolve("dovecot.log"))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("dovecot exited: " + Files.readString(d.resolve("stdout")));
          }
          return Files.exists(socket);
        });
    return socket;
  }

  private void run(String verb) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(postfix.toString(), "-c", dir.resolve("config").toString(), verb)
        .redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("postfix " + verb + " failed: " + out);
    }
  }

  /** The messages delivered to {@code mailbox} so far (Maildir {@code new/} and {@code cur/}). */
  List<Path> delivered(String mailbox) throws IOException {
    return PostfixConfig.delivered(dir.resolve("mail").resolve(mailbox));
  }

  public String log() throws IOException {
    Path log = dir.resolve("maillog");
    return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
  }

  @Override
  public void close() {
    Process auth = dovecot;
    if (auth != null && auth.isAlive()) {
      auth.destroy();
      try {
        if (!auth.waitFor(20, TimeUnit.SECONDS)) {
          auth.descendants().forEach(ProcessHandle::destroyForcibly);
          auth.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      run("stop");
    } catch (IOException | RuntimeException e) {
      System.err.println("LoopbackPostfix: postfix stop: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      TestFolders.deleteTree(dir);
    } catch (IOException | RuntimeException e) {
      System.err.println("LoopbackPostfix: cannot delete " + dir + ": " + e);
    }
  }
}
