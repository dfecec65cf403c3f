package io.labscan.agent.inventory.lease;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * When the DHCP leases of this machine's addresses end, where the operating system says so.
 * The controller uses a lease end to stop counting a silent host as the holder of an address
 * (docs/triage.md, "DHCP lease ends"); without one it waits a grace period.
 *
 * <p>Sources: Linux — dhclient's lease files ({@code /var/lib/dhcp}, {@code /var/lib/dhclient}),
 * NetworkManager's ({@code /var/lib/NetworkManager}, dhclient or internal format) and
 * systemd-networkd's ({@code /run/systemd/netif/leases}); Windows — {@code GetAdaptersInfo};
 * macOS — {@code ipconfig getpacket IFACE}.
 *
 * <p>The lease files live in root's directories, but a misconfigured machine may let a local
 * user write there, so reading is defensive: only those fixed directories, never through a
 * symbolic link (neither the directory nor a file), regular files only, owned by root where the
 * file system tells owners, at most {@value #MAX_FILES} files and the last {@value
 * #MAX_FILE_BYTES} bytes of each (dhclient appends, so the newest leases are at the end). A
 * planted file can at worst name an end for an address the machine really has, and the
 * controller never lets a lease end hold an address beyond its own bound.
 */
public final class DhcpLeases {
  static final int MAX_FILES = 64;
  static final int MAX_FILE_BYTES = 256 * 1024;
  /** Interfaces asked on macOS, and how long each {@code ipconfig} may take. */
  static final int MAX_MAC_INTERFACES = 16;
  static final Duration IPCONFIG_TIMEOUT = Duration.ofSeconds(2);

  /** The Linux directories and which file names in them are lease files. */
  static final List<Path> LINUX_DIRECTORIES = List.of(Path.of("/var/lib/dhcp"), Path.of("/var/lib/dhclient"),
      Path.of("/var/lib/NetworkManager"), Path.of("/run/systemd/netif/leases"));

  private DhcpLeases() {}

  /**
   * Lease ends by address for this machine; addresses whose lease already ended, and those no
   * source knows, are left out. Never throws.
   *
   * @param interfaces names of the machine's interfaces (for macOS' per-interface question)
   */
  public static Map<String, Instant> ofThisMachine(List<String> interfaces, Instant now) {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    try {
      List<DhcpLease> leases;
      if (os.startsWith("windows")) {
        leases = WindowsAdapterLeases.read();
      } else if (os.startsWith("mac")) {
        leases = mac(interfaces, now);
      } else if (os.startsWith("linux")) {
        leases = linux(LINUX_DIRECTORIES, now);
      } else {
        leases = List.of();
      }
      return latest(leases, now);
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  /** Per address the latest end, leaving out ends not after {@code now}. */
  static Map<String, Instant> latest(List<DhcpLease> leases, Instant now) {
    Map<String, Instant> out = new HashMap<>();
    for (DhcpLease l : leases) {
      if (l.end().isAfter(now)) {
        out.merge(l.ip(), l.end(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    return out;
  }

  /** Every lease in the lease files of these directories. */
  static List<DhcpLease> linux(List<Path> directories, Instant now) {
    List<DhcpLease> out = new ArrayList<>();
    int files = 0;
    for (Path dir : directories) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path file : entries) {
          if (files >= MAX_FILES) {
            return out;
          }
          String name = file.getFileName().toString();
          boolean networkd = dir.endsWith(Path.of("netif", "leases"));
          if (!networkd && !(name.endsWith(".lease") || name.endsWith(".leases"))) {
            continue;
          }
          Optional<FileText> text = read(file);
          if (text.isEmpty()) {
            continue;
          }
          files++;
          out.addAll(parse(text.get()));
        }
      } catch (IOException | RuntimeException e) {
        // an unreadable directory tells nothing; the other sources still count
      }
    }
    return out;
  }

  /** A lease file's tail and when it was written. */
  record FileText(String text, Instant modified) {}

  /** Either format: dhclient's blocks, or systemd's KEY=value lines. */
  static List<DhcpLease> parse(FileText f) {
    if (f.text().contains("lease {") || f.text().contains("lease6 {")) {
      return DhclientLeaseFile.parse(f.text());
    }
    return NetworkdLeaseFile.parse(f.text(), f.modified()).map(List::of).orElse(List.of());
  }

  /**
   * The last {@link #MAX_FILE_BYTES} bytes of a regular file that is no symbolic link and (where
   * owners are known) belongs to root; empty otherwise.
   */
  static Optional<FileText> read(Path file) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attrs.isRegularFile() || !ownedByRoot(file)) {
        return Optional.empty();
      }
      try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        long size = ch.size();
        if (size > MAX_FILE_BYTES) {
          ch.position(size - MAX_FILE_BYTES);
        }
        InputStream in = Channels.newInputStream(ch);
        byte[] bytes = in.readNBytes(MAX_FILE_BYTES);
        return Optional.of(new FileText(new String(bytes, StandardCharsets.ISO_8859_1),
            attrs.lastModifiedTime().toInstant()));
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean ownedByRoot(Path file) {
    try {
      Object uid = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      return uid instanceof Integer i && i == 0;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return true; // no owners on this file system: the fixed directory is the only bound
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** {@code ipconfig getpacket} for each (plausibly named) interface. */
  static List<DhcpLease> mac(List<String> interfaces, Instant now) {
    return mac(interfaces, now, DhcpLeases::ipconfig);
  }

  static List<DhcpLease> mac(List<String> interfaces, Instant now, Function<String, Optional<String>> ipconfig) {
    List<DhcpLease> out = new ArrayList<>();
    interfaces.stream().filter(n -> n.matches("[A-Za-z][A-Za-z0-9]{0,14}")).distinct().limit(MAX_MAC_INTERFACES)
        .forEach(n -> ipconfig.apply(n).flatMap(o -> MacIpconfigPacket.parse(o, now)).ifPresent(out::add));
    return out;
  }

  private static Optional<String> ipconfig(String iface) {
    Process p = null;
    try {
      p = new ProcessBuilder("/usr/sbin/ipconfig", "getpacket", iface).redirectErrorStream(true).start();
      // Waited for first, so the timeout holds even if ipconfig hangs; its output (about 1 KiB)
      // fits the pipe's buffer, so it never blocks on a full pipe before exiting.
      if (!p.waitFor(IPCONFIG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
        return Optional.empty();
      }
      byte[] out = p.getInputStream().readNBytes(64 * 1024);
      return Optional.of(new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (p != null) {
        p.destroyForcibly();
      }
    }
  }
}
