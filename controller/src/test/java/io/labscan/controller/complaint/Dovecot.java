package io.labscan.controller.complaint;

import static org.awaitility.Awaitility.await;

import io.labscan.testsupport.FreePorts;
import io.labscan.testsupport.LoopbackCertificate;
import io.labscan.testsupport.Requirements;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Dovecot IMAP server for one test, run from a configuration folder of the test's own:
 * loopback ports, a self-signed certificate for 127.0.0.1 made here (BouncyCastle), users from
 * a passwd-file, Maildirs in the test's folder. Runs as the current user (as root: the mail
 * belongs to nobody, and Dovecot's own unprivileged users do the logins). Stopped and started
 * again on the same ports and mail to test reconnection.
 */
final class Dovecot implements AutoCloseable {
  static final String USER = "abuse";
  static final String PASSWORD = "s3cret-abuse-password";

  private final Path dir;
  private final Path binary;
  private final int imapsPort;
  private final int imapPort;
  private final Path certificate;
  private Process process;

  private Dovecot(Path dir, Path binary, int imapsPort, int imapPort, Path certificate) {
    this.dir = dir;
    this.binary = binary;
    this.imapsPort = imapsPort;
    this.imapPort = imapPort;
    this.certificate = certificate;
  }

  /**
   * Starts Dovecot in a folder {@code dovecot} of the test's folder {@code testDir}, which is
   * opened to other users (Dovecot's unprivileged processes read the passwd-file and the mail);
   * skips loudly (fails with LABSCAN_STRICT=1) without dovecot-imapd.
   */
  static Dovecot start(Path testDir) throws Exception {
    Path binary = Requirements.command("dovecot", "dovecot-imapd");
    Files.setPosixFilePermissions(testDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = Files.createDirectories(testDir.resolve("dovecot"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path mail = Files.createDirectories(dir.resolve("mail"));
    Files.setPosixFilePermissions(mail, PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.createDirectories(dir.resolve("run"));
    Files.createDirectories(dir.resolve("state"));
    Path cert = dir.resolve("server.crt");
    LoopbackCertificate.write(cert, dir.resolve("server.key"), "labscan-test-imap", "localhost");
    Files.writeString(dir.resolve("passwd"), USER + ":{PLAIN}" + PASSWORD + "\n");
    int[] ports = FreePorts.several(2);
    boolean root = Requirements.isRoot();
    long uid = root ? 65534 : (Integer) Files.getAttribute(dir, "unix:uid");
    long gid = root ? 65534 : (Integer) Files.getAttribute(dir, "unix:gid");
    String me = System.getProperty("user.name");
    String users = root ? "" : "default_internal_user = " + me + "\ndefault_login_user = " + me
        + "\ndefault_internal_group = " + me + "\n";
    Files.writeString(dir.resolve("dovecot.conf"), """
        base_dir = %1$s/run
        state_dir = %1$s/state
        log_path = %1$s/dovecot.log
        protocols = imap
        listen = 127.0.0.1
        ssl = required
        ssl_cert = <%1$s/server.crt
        ssl_key = <%1$s/server.key
        disable_plaintext_auth = yes
        auth_mechanisms = plain login
        first_valid_uid = 1
        first_valid_gid = 1
        %2$s
        passdb {
          driver = passwd-file
          args = scheme=PLAIN username_format=%%u %1$s/passwd
        }
        userdb {
          driver = static
          args = uid=%3$d gid=%4$d home=%1$s/mail/%%u
        }
        mail_location = maildir:~/Maildir
        service imap-login {
          chroot =
          inet_listener imap {
            port = %5$d
          }
          inet_listener imaps {
            port = %6$d
            ssl = yes
          }
        }
        service anvil {
          chroot =
        }
        protocol imap {
          mail_max_userip_connections = 100
        }
        """.formatted(dir, users, uid, gid, ports[0], ports[1]));
    Dovecot d = new Dovecot(dir, binary, ports[1], ports[0], cert);
    d.startProcess();
    return d;
  }

  private void startProcess() throws IOException {
    process = new ProcessBuilder(binary.toString(), "-F", "-c", dir.resolve("dovecot.conf").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout").toFile()))
        .start();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .alias("dovecot listening; its log: " + dir.resolve("dovecot.log"))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("dovecot exited: " + Files.readString(dir.resolve("stdout"))
                + (Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : ""));
          }
          return listening(imapsPort) && listening(imapPort);
        });
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the server (its master process and, with it, every connection). */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> !listening(imapsPort));
    }
  }

  void restart() throws Exception {
    stop();
    startProcess();
  }

  int imapsPort() {
    return imapsPort;
  }

  int imapPort() {
    return imapPort;
  }

  /** The PEM certificate the server presents (self-signed: the CA file a watcher trusts). */
  Path certificate() {
    return certificate;
  }

  Path maildir() {
    return dir.resolve("mail").resolve(USER).resolve("Maildir");
  }

  /** A watched-mailbox configuration for INBOX over imaps. */
  MailboxConfig inbox() {
    return new MailboxConfig(MailboxAddress.parse("imaps://" + USER + "@127.0.0.1:" + imapsPort + "/INBOX"), PASSWORD,
        java.util.Optional.of(certificate));
  }

  /** Delivers a message by IMAP APPEND, as an MTA's delivery agent would put it into the folder. */
  void append(String folder, byte[] raw) throws Exception {
    try (Store store = connect()) {
      Folder f = store.getFolder(folder);
      if (!f.exists()) {
        f.create(Folder.HOLDS_MESSAGES);
      }
      MimeMessage m = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)) {
        @Override
        protected void updateMessageID() {
          // keep the message exactly as given
        }
      };
      f.appendMessages(new Message[] {m});
    }
  }

  /** Delivers a message straight into INBOX's Maildir, as a local delivery agent does while IMAP is down. */
  void deliverToMaildir(byte[] raw) throws IOException {
    Path fresh = Files.createDirectories(maildir().resolve("new"));
    Path tmp = Files.createDirectories(maildir().resolve("tmp")).resolve(UUID.randomUUID() + ".tmp");
    Files.write(tmp, raw);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.move(tmp, fresh.resolve(Instant.now().getEpochSecond() + "." + UUID.randomUUID() + ".test"));
  }

  /** The Message-IDs (else subjects) of the messages in a folder; empty when it does not exist. */
  List<String> messageIds(String folder) throws Exception {
    try (Store store = connect()) {
      Folder f = store.getFolder(folder);
      List<String> out = new ArrayList<>();
      if (!f.exists()) {
        return out;
      }
      f.open(Folder.READ_ONLY);
      for (Message m : f.getMessages()) {
        if (!m.isSet(Flags.Flag.DELETED)) {
          String id = ((MimeMessage) m).getMessageID();
          out.add(id != null ? id : String.valueOf(m.getSubject()));
        }
      }
      f.close(false);
      return out;
    }
  }

  long uidValidity(String folder) throws Exception {
    try (Store store = connect()) {
      Folder f = store.getFolder(folder);
      f.open(Folder.READ_ONLY);
      long v = ((jakarta.mail.UIDFolder) f).getUIDValidity();
      f.close(false);
      return v;
    }
  }

  private Store connect() throws Exception {
    Properties p = new Properties();
    java.security.KeyStore ks = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
    ks.load(null, null);
    try (var in = Files.newInputStream(certificate)) {
      ks.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    p.put("mail.imaps.ssl.socketFactory", ctx.getSocketFactory());
    p.put("mail.imaps.ssl.checkserveridentity", "true");
    Store store = Session.getInstance(p).getStore("imaps");
    store.connect("127.0.0.1", imapsPort, USER, PASSWORD);
    return store;
  }

  /** The server's log (for a failing test's report). */
  String log() {
    try {
      return Files.exists(dir.resolve("dovecot.log")) ? Files.readString(dir.resolve("dovecot.log")) : "(no log)";
    } catch (IOException e) {
      return "(unreadable log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
