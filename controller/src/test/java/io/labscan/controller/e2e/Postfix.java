package io.labscan.controller.e2e;

import static java.util.Objects.requireNonNull;

import io.labscan.testsupport.PostfixConfig;
import io.labscan.testsupport.TestFolders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A real Postfix inside a test namespace, run from a configuration folder of its own
 * ({@code postfix -c DIR start}) with its queue, data, mailboxes and log in a temporary folder
 * (Postfix's own users must reach it, which a build folder under root's home would not allow):
 * the machine's {@code /etc/postfix} is never read for configuration nor written. Closing it
 * keeps the log and the delivered mail in an archive folder and removes the rest.
 *
 * <p>Either a mail exchanger that delivers a test domain into Maildirs (virtual mailboxes), or
 * a relay that accepts mail on its own loopback and hands everything to a relay host.
 */
final class Postfix implements AutoCloseable {
  /** The unprivileged owner of the delivered mailboxes (Debian's {@code nobody}). */
  static final int MAILBOX_UID = 65534;

  private final TestNetwork.Host host;
  private final Path dir;
  private final Path archive;

  private Postfix(TestNetwork.Host host, Path dir, Path archive) {
    this.host = requireNonNull(host, "host");
    this.dir = requireNonNull(dir, "dir");
    this.archive = requireNonNull(archive, "archive");
  }

  /**
   * Starts the mail exchanger of {@code domain} on the host's address, delivering to
   * {@code mailboxes} (local parts) as Maildirs under {@code dir/mail/<local part>/}.
   */
  static Postfix mailExchanger(TestNetwork.Host host, Path dir, Path archive, String hostname, String domain,
      List<String> mailboxes) throws IOException {
    Postfix p = new Postfix(host, dir, archive);
    p.prepare();
    Path mail = dir.resolve("mail");
    Files.createDirectories(mail);
    Files.setAttribute(mail, "unix:uid", MAILBOX_UID);
    Files.setAttribute(mail, "unix:gid", MAILBOX_UID);
    StringBuilder map = new StringBuilder();
    for (String box : mailboxes) {
      map.append(box).append('@').append(domain).append(' ').append(box).append("/\n");
    }
    Files.writeString(dir.resolve("config/vmailbox"), map);
    p.start(PostfixConfig.mainCf(dir, hostname) + """
        inet_interfaces = %s
        mydestination =
        virtual_mailbox_domains = %s
        virtual_mailbox_base = %s
        virtual_mailbox_maps = texthash:%s
        virtual_uid_maps = static:%d
        virtual_gid_maps = static:%d
        """.formatted(host.ip(), domain, mail, dir.resolve("config/vmailbox"), MAILBOX_UID, MAILBOX_UID));
    return p;
  }

  /** Starts a relay listening on the host's loopback and sending everything to {@code relayHost}. */
  static Postfix relay(TestNetwork.Host host, Path dir, Path archive, String hostname, String relayHost)
      throws IOException {
    Postfix p = new Postfix(host, dir, archive);
    p.prepare();
    p.start(PostfixConfig.mainCf(dir, hostname) + """
        inet_interfaces = 127.0.0.1
        mydestination =
        relayhost = [%s]
        """.formatted(relayHost));
    return p;
  }

  /** The folders Postfix's own users must reach, and its master.cf. */
  private void prepare() throws IOException {
    PostfixConfig.prepare(dir, PostfixConfig.masterCf("smtp"));
  }

  private void start(String mainCf) throws IOException {
    Files.writeString(dir.resolve("config/main.cf"), mainCf);
    Commands.run(host.exec(List.of(postfix(), "-c", dir.resolve("config").toString(), "start"))).orThrow();
  }

  static String postfix() {
    return Commands.required("postfix", "postfix");
  }

  /** The messages delivered to a mailbox so far (Maildir {@code new/} and {@code cur/}). */
  List<Path> delivered(String mailbox) throws IOException {
    return PostfixConfig.delivered(dir.resolve("mail").resolve(mailbox));
  }

  /** The delivered messages of a mailbox whose text contains {@code marker}. */
  List<Path> deliveredWith(String mailbox, String marker) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : delivered(mailbox)) {
      if (Files.readString(p, StandardCharsets.ISO_8859_1).contains(marker)) {
        out.add(p);
      }
    }
    return out;
  }

  /** SMTP sessions this Postfix accepted from {@code ip} so far ("connect from NAME[IP]" lines of its log). */
  long connectionsFrom(String ip) throws IOException {
    if (!Files.exists(log())) {
      return 0;
    }
    try (var lines = Files.lines(log())) {
      return lines.filter(l -> l.contains(" connect from ") && l.contains("[" + ip + "]")).count();
    }
  }

  Path log() {
    return dir.resolve("maillog");
  }

  private Optional<ProcessHandle> master() {
    try {
      String pid = Files.readString(dir.resolve("queue/pid/master.pid")).strip();
      return ProcessHandle.of(Long.parseLong(pid));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Stops Postfix ({@code postfix stop}); kills its master and children when that fails. */
  @Override
  public void close() {
    Optional<ProcessHandle> master = master();
    try {
      Commands.Result stop = Commands.run(host.exec(List.of(postfix(), "-c", dir.resolve("config").toString(),
          "stop")));
      if (!stop.ok()) {
        System.err.println("KlezStoryIT: postfix stop in " + host + ": " + (stop.out() + stop.err()).strip());
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("KlezStoryIT: postfix stop in " + host + ": " + e.getMessage());
    }
    master.ifPresent(m -> {
      m.descendants().forEach(ProcessHandle::destroyForcibly);
      m.destroyForcibly();
    });
    try {
      keep();
    } catch (IOException | RuntimeException e) {
      System.err.println("KlezStoryIT: cannot keep the log and mail of " + this + " in " + archive + ": " + e);
    }
    delete(dir);
  }

  /** Copies the log and the delivered mail into the archive folder. */
  private void keep() throws IOException {
    Files.createDirectories(archive);
    if (Files.exists(log())) {
      Files.copy(log(), archive.resolve("maillog"), StandardCopyOption.REPLACE_EXISTING);
    }
    Path mail = dir.resolve("mail");
    if (Files.isDirectory(mail)) {
      try (Stream<Path> all = Files.walk(mail)) {
        for (Path p : all.toList()) {
          Path target = archive.resolve("mail").resolve(mail.relativize(p).toString());
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(target);
          } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    }
  }

  static void delete(Path folder) {
    try {
      TestFolders.deleteTree(folder);
    } catch (IOException | RuntimeException e) {
      System.err.println("KlezStoryIT: cannot delete " + folder + ": " + e);
    }
  }

  @Override
  public String toString() {
    return "postfix in " + host;
  }
}
