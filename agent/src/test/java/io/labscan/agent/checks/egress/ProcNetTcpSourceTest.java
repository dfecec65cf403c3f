package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /proc walk on a recorded /proc tree: socket tables, fd links, comm, exe, status. */
class ProcNetTcpSourceTest {
  private static final Set<Integer> SMTP = Set.of(25, 465, 587);

  @TempDir Path proc;
  private ProcNetTcpSource source;

  @BeforeEach
  void recordedProc() throws IOException {
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/tcp"), ProcNetTcpParserTest.fixture("proc-net-tcp.txt"));
    Files.writeString(proc.resolve("net/tcp6"), ProcNetTcpParserTest.fixture("proc-net-tcp6.txt"));
    process(1, "systemd", "/usr/lib/systemd/systemd", 0, 16781);
    process(4242, "winkabcd", "/home/ann/.cache/winkabcd", 1000, 48213, 48377, 48390, 49001, 49002);
    Path passwd = proc.resolve("passwd");
    Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nann:x:1000:1000:Ann:/home/ann:/bin/bash\n");
    source = new ProcNetTcpSource(proc, proc.resolve("net"), new PasswdUserNames(passwd), ByteOrder.LITTLE_ENDIAN);
  }

  private void process(long pid, String comm, String exe, long uid, long... socketInodes) throws IOException {
    Path dir = proc.resolve(Long.toString(pid));
    Files.createDirectories(dir.resolve("fd"));
    Files.writeString(dir.resolve("comm"), comm + "\n");
    Files.createSymbolicLink(dir.resolve("exe"), Path.of(exe));
    Files.writeString(dir.resolve("status"), "Name:\t" + comm + "\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid
        + "\nGid:\t" + uid + "\n");
    Files.createSymbolicLink(dir.resolve("fd/0"), Path.of("/dev/null"));
    for (int i = 0; i < socketInodes.length; i++) {
      Files.createSymbolicLink(dir.resolve("fd/" + (3 + i)), Path.of("socket:[" + socketInodes[i] + "]"));
    }
  }

  private static ConnectionObservation to(List<ConnectionObservation> sample, String ip, int localPort) {
    return sample.stream().filter(o -> o.remote().ip().equals(ip) && o.local().port() == localPort)
        .findFirst().orElseThrow();
  }

  @Test
  void socketIsAttributedToTheProcessHoldingItsInode() throws IOException {
    var sample = source.sample(SMTP);

    ProcessInfo owner = to(sample, "192.0.2.25", 51234).owner();
    assertThat(owner).isEqualTo(new ProcessInfo(4242, "winkabcd", "/home/ann/.cache/winkabcd", "ann"));
  }

  @Test
  void listenersAndOtherPortsAreLeftOut() throws IOException {
    var sample = source.sample(SMTP);

    assertThat(sample).extracting(o -> o.state()).doesNotContain(TcpState.LISTEN);
    assertThat(sample).extracting(o -> o.remote().port()).containsOnly(25, 465, 587);
  }

  @Test
  void timeWaitRowIsUnattributed() throws IOException {
    ConnectionObservation tw = to(source.sample(SMTP), "192.0.2.25", 51236);

    assertThat(tw.state()).isEqualTo(TcpState.TIME_WAIT);
    assertThat(tw.owner()).isEqualTo(ProcessInfo.unknown());
  }

  @Test
  void socketWhoseProcessCannotBeFoundKeepsTheSocketsUser() throws IOException {
    // inode 48400 (root's loopback client) is in no fd table: another user's process seen without root
    ConnectionObservation hidden = to(source.sample(SMTP), "127.0.0.1", 40100);

    assertThat(hidden.owner()).isEqualTo(ProcessInfo.userOnly("root"));
  }

  @Test
  void ipv6AndMappedRowsComeFromTcp6() throws IOException {
    var sample = source.sample(SMTP);

    assertThat(to(sample, "2001:db8::25", 50100).owner().pid()).isEqualTo(4242);
    assertThat(to(sample, "192.0.2.10", 50200).owner().pid()).isEqualTo(4242);
  }

  @Test
  void descriptorsAreWalkedOnlyWhenANewInodeAppears() throws IOException {
    source.sample(SMTP);
    source.sample(SMTP);
    source.sample(SMTP);

    // the unresolvable inode is remembered as such: no walk on every sample
    assertThat(source.fdScans()).isEqualTo(1);
  }

  @Test
  void aNewConnectionTriggersOneMoreWalk() throws IOException {
    source.sample(SMTP);
    Files.writeString(proc.resolve("net/tcp"), ProcNetTcpParserTest.fixture("proc-net-tcp.txt")
        + "  12: 0500000A:9D00 190200C0:0019 02 00000000:00000000 00:00000000 00000000  1000        0 48999 1\n");
    Files.createSymbolicLink(proc.resolve("4242/fd/99"), Path.of("socket:[48999]"));

    var sample = source.sample(SMTP);

    assertThat(source.fdScans()).isEqualTo(2);
    assertThat(sample.stream().filter(o -> o.local().port() == 0x9D00).findFirst().orElseThrow().owner().name())
        .isEqualTo("winkabcd");
  }

  @Test
  void commonCaseWithNoSmtpRowsNeverWalksDescriptors() throws IOException {
    var sample = source.sample(Set.of(2525));

    assertThat(sample).isEmpty();
    assertThat(source.fdScans()).isZero();
  }

  @Test
  void malformedLinesAreCounted() throws IOException {
    source.sample(SMTP);

    assertThat(source.skippedLines()).isEqualTo(6);
  }

  @Test
  void missingTcp6IsFineWhenIpv6IsOff() throws IOException {
    Files.delete(proc.resolve("net/tcp6"));

    assertThat(source.sample(SMTP)).isNotEmpty();
  }

  @Test
  void noSocketTableAtAllIsAnError() throws IOException {
    Files.delete(proc.resolve("net/tcp6"));
    Files.delete(proc.resolve("net/tcp"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> source.sample(SMTP)).isInstanceOf(IOException.class);
  }
}
