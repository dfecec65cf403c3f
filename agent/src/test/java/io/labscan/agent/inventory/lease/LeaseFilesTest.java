package io.labscan.agent.inventory.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading lease files that a local user may have planted: bounded, never through links. */
class LeaseFilesTest {
  private static final Instant NOW = Instant.parse("2026-12-07T03:00:00Z");
  @TempDir Path dir;

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Test
  void aSymbolicLinkToALeaseFileIsNeverFollowed() throws Exception {
    Path real = Files.writeString(dir.resolve("real.txt"), DhcpLeaseParsersTest.sample("dhclient.eth0.leases"));
    Files.createSymbolicLink(dir.resolve("dhclient.eth0.leases"), real);

    assertThat(DhcpLeases.read(dir.resolve("dhclient.eth0.leases"))).isEmpty();
  }

  @Test
  void aLinkedDirectoryIsNeverEntered() throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Files.writeString(real.resolve("dhclient.eth0.leases"), DhcpLeaseParsersTest.sample("dhclient.eth0.leases"));
    Path link = Files.createSymbolicLink(dir.resolve("dhcp"), real);

    assertThat(DhcpLeases.linux(List.of(link), NOW)).isEmpty();
  }

  @Test
  void aFileNotOwnedByRootIsIgnored() throws Exception {
    Path f = Files.writeString(dir.resolve("dhclient.eth0.leases"), DhcpLeaseParsersTest.sample("dhclient.eth0.leases"));
    if (runningAsRoot()) {
      Files.setAttribute(f, "unix:uid", 65534); // as a local user would have planted it
    }

    assertThat(DhcpLeases.read(f)).isEmpty();
  }

  @Test
  void onlyTheLastPartOfAHugeFileIsRead() throws Exception {
    assumeTrue(runningAsRoot(), "the owner check refuses the test's own files otherwise");
    String lease = DhcpLeaseParsersTest.sample("dhclient.eth0.leases");
    Path f = dir.resolve("dhclient.eth0.leases");
    Files.writeString(f, "#".repeat(3 * DhcpLeases.MAX_FILE_BYTES) + lease, StandardCharsets.ISO_8859_1);

    DhcpLeases.FileText text = DhcpLeases.read(f).orElseThrow();

    assertThat(text.text()).hasSize(DhcpLeases.MAX_FILE_BYTES).endsWith(lease);
    assertThat(DhcpLeases.linux(List.of(dir), NOW)).hasSize(2);
  }
}
