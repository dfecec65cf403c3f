package io.labscan.agent.checks.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.egress.ConnectionObservation;
import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.ProcessInfo;
import io.labscan.agent.checks.egress.TcpState;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
  private PasswdUserNames users;
  /** The monotonic clock that paces walks of every process (ns). */
  private long now = Duration.ofHours(1).toNanos();

  @BeforeEach
  void recordedProc() throws IOException {
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/tcp"), ProcNetTcpParserTest.fixture("proc-net-tcp.txt"));
    Files.writeString(proc.resolve("net/tcp6"), ProcNetTcpParserTest.fixture("proc-net-tcp6.txt"));
    process(1, "systemd", "/usr/lib/systemd/systemd", 0, 16781);
    process(4242, "winkabcd", "/home/ann/.cache/winkabcd", 1000, 48213, 48377, 48390, 49001, 49002);
    Path passwd = proc.resolve("passwd");
    Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nann:x:1000:1000:Ann:/home/ann:/bin/bash\n");
    users = new PasswdUserNames(passwd);
    source = new ProcNetTcpSource(proc, new ProcNetTcpTable(proc.resolve("net"), ByteOrder.LITTLE_ENDIAN), users,
        () -> now);
  }

  private void process(long pid, String comm, String exe, long uid, long... socketInodes) throws IOException {
    process(pid, 1_000 + pid, comm, exe, uid, socketInodes);
  }

  /** A process directory as the kernel shows it; {@code startTime} is stat field 22. */
  private void process(long pid, long startTime, String comm, String exe, long uid, long... socketInodes)
      throws IOException {
    Path dir = proc.resolve(Long.toString(pid));
    Files.createDirectories(dir.resolve("fd"));
    Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") S 1 " + pid + " " + pid
        + " 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0 " + startTime + " 9158656 870 18446744073709551615\n");
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

  /** Adds an IPv4 row 10.0.0.5:localPort → 192.0.2.25:25 SYN_SENT of uid 1000 with this inode. */
  private void addRow(int localPort, long inode) throws IOException {
    Files.writeString(proc.resolve("net/tcp"), String.format(
        "  %d: 0500000A:%04X 190200C0:0019 02 00000000:00000000 00:00000000 00000000  1000        0 %d 1%n",
        40 + localPort % 50, localPort, inode), java.nio.file.StandardOpenOption.APPEND);
  }

  private static ConnectionObservation fromPort(List<ConnectionObservation> sample, int localPort) {
    return sample.stream().filter(o -> o.local().port() == localPort).findFirst().orElseThrow();
  }

  @Test
  void newSocketOfARecentOwnerIsFoundWithoutWalkingEveryProcess() throws IOException {
    source.sample(SMTP);
    addRow(0x9D01, 48998);
    Files.createSymbolicLink(proc.resolve("4242/fd/98"), Path.of("socket:[48998]"));

    var sample = source.sample(SMTP);

    assertThat(fromPort(sample, 0x9D01).owner().name()).isEqualTo("winkabcd");
    assertThat(source.fullWalks()).isEqualTo(1);
  }

  @Test
  void socketOfANewProcessWaitsForTheNextFullWalkWithItsUser() throws IOException {
    source.sample(SMTP);
    process(5151, "mailer", "/tmp/mailer", 1000, 48997);
    addRow(0x9D02, 48997);
    now += Duration.ofMillis(250).toNanos();

    var sample = source.sample(SMTP);

    assertThat(fromPort(sample, 0x9D02).owner()).isEqualTo(ProcessInfo.userOnly("ann"));
    assertThat(source.fullWalks()).isEqualTo(1);
  }

  @Test
  void socketOfANewProcessIsNamedByTheFullWalkOnceTheIntervalHasPassed() throws IOException {
    source.sample(SMTP);
    process(5151, "mailer", "/tmp/mailer", 1000, 48997);
    addRow(0x9D02, 48997);
    now += Duration.ofMillis(250).toNanos();
    source.sample(SMTP);
    now += ProcNetTcpSource.FULL_WALK_INTERVAL.toNanos();

    var sample = source.sample(SMTP);

    assertThat(fromPort(sample, 0x9D02).owner().pid()).isEqualTo(5151);
    assertThat(source.fullWalks()).isEqualTo(2);
  }

  @Test
  void socketGoneBeforeItsOwnerIsLookedForCostsNoFullWalk() throws IOException {
    SocketRow lasting = new SocketRow(ep("10.0.0.5", 40001), ep("192.0.2.25", 25), TcpState.ESTABLISHED, 1000, 48213);
    SocketRow brief = new SocketRow(ep("10.0.0.5", 40002), ep("192.0.2.25", 25), TcpState.LAST_ACK, 1000, 777);
    List<List<SocketRow>> reads = new java.util.ArrayList<>(List.of(List.of(lasting), List.of(lasting),
        List.of(lasting, brief), List.of(lasting)));
    SocketTable scripted = new SocketTable() {
      @Override
      public String name() {
        return "scripted";
      }

      @Override
      public Rows read(Set<Integer> remotePorts) {
        return new Rows(reads.size() > 1 ? reads.remove(0) : reads.get(0), 0);
      }
    };
    ProcNetTcpSource src = new ProcNetTcpSource(proc, scripted, users, () -> now);
    src.sample(SMTP);
    now += ProcNetTcpSource.FULL_WALK_INTERVAL.toNanos();

    var sample = src.sample(SMTP); // sees 777; when the table is read again it is gone

    assertThat(src.fullWalks()).isEqualTo(1);
    assertThat(fromPort(sample, 40002).owner()).isEqualTo(ProcessInfo.userOnly("ann"));
  }

  @Test
  void reusedPidIsNotTakenForTheProcessThatHadItBefore() throws IOException {
    source.sample(SMTP);
    // winkabcd exits; a new process gets pid 4242 and opens a socket to port 25
    Files.writeString(proc.resolve("net/tcp"), "  sl  local_address rem_address   st\n");
    deleteTree(proc.resolve("4242"));
    process(4242, 9_999, "cron", "/usr/sbin/cron", 0, 48996);
    addRow(0x9D03, 48996);
    now += ProcNetTcpSource.FULL_WALK_INTERVAL.toNanos();

    var sample = source.sample(SMTP);

    assertThat(fromPort(sample, 0x9D03).owner()).isEqualTo(new ProcessInfo(4242, "cron", "/usr/sbin/cron", "root"));
  }

  /** The recorded tables, minus the inodes that "vanished": listed by one more read, then gone. */
  private final class VanishingTable implements SocketTable {
    private final SocketTable files = new ProcNetTcpTable(proc.resolve("net"), ByteOrder.LITTLE_ENDIAN);
    private final java.util.Map<Long, Integer> readsLeft = new java.util.HashMap<>();

    void vanishAfterNextRead(long inode) {
      readsLeft.put(inode, 1);
    }

    @Override
    public String name() {
      return "vanishing";
    }

    @Override
    public Rows read(Set<Integer> remotePorts) throws IOException {
      Rows rows = files.read(remotePorts);
      List<SocketRow> kept = rows.rows().stream().filter(r -> readsLeft.getOrDefault(r.inode(), 1) > 0).toList();
      readsLeft.replaceAll((inode, left) -> left - 1);
      return new Rows(kept, rows.skipped());
    }
  }

  @Test
  void descriptorsOfARecentOwnerStillHoldingListedSocketsAreNotReadAgain() throws IOException {
    VanishingTable table = new VanishingTable();
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now);
    src.sample(SMTP); // full walk: 4242 becomes a recent owner
    process(6161, "other", "/tmp/other", 1000, 48994);
    addRow(0x9D04, 48994);
    now += ProcNetTcpSource.FULL_WALK_INTERVAL.toNanos();
    src.sample(SMTP); // 4242's links read in full (0, 3-7), then a full walk finds 48994 in 6161
    addRow(0x9D05, 48993);
    table.vanishAfterNextRead(48993); // a short session: gone when the table is read again
    long before = src.linksRead();

    src.sample(SMTP);

    // 4242: fd 0 only (3-7 still hold listed sockets); 6161: fds 0 and 3, read for the first time
    assertThat(src.linksRead() - before).isEqualTo(3);
    assertThat(src.fullWalks()).isEqualTo(2);
  }

  @Test
  void aDescriptorReusedForANewSocketIsFoundByTheNextFullWalk() throws IOException {
    source.sample(SMTP);
    addRow(0x9D04, 48994);
    Files.createSymbolicLink(proc.resolve("4242/fd/94"), Path.of("socket:[48994]"));
    source.sample(SMTP);
    // fd 94 now holds a new socket while 48994 lives on in fd 95 (dup'ed before the close)
    Files.delete(proc.resolve("4242/fd/94"));
    Files.createSymbolicLink(proc.resolve("4242/fd/94"), Path.of("socket:[48992]"));
    Files.createSymbolicLink(proc.resolve("4242/fd/95"), Path.of("socket:[48994]"));
    addRow(0x9D06, 48992);
    now += ProcNetTcpSource.FULL_WALK_INTERVAL.toNanos();

    var sample = source.sample(SMTP);

    assertThat(fromPort(sample, 0x9D06).owner().pid()).isEqualTo(4242);
  }

  @Test
  void startTimeIsField22EvenWhenTheNameHoldsSpacesAndParentheses() {
    String stat = "77 (a) b (c) S 1 77 77 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0 123456 9158656 870 1\n";

    assertThat(ProcNetTcpSource.startTimeOf(stat)).hasValue(123456);
  }

  @Test
  void truncatedStatLineHasNoStartTime() {
    assertThat(ProcNetTcpSource.startTimeOf("77 (a) S 1 77")).isEmpty();
    assertThat(ProcNetTcpSource.startTimeOf("garbage")).isEmpty();
  }

  @Test
  void startTimeThatIsNotANumberIsNoStartTime() {
    String stat = "77 (a) S 1 77 77 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0 12x456 9158656 870 1\n";

    assertThat(ProcNetTcpSource.startTimeOf(stat)).isEmpty();
  }

  private static Endpoint ep(String ip, int port) {
    return Endpoint.parse(ip, port).orElseThrow();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
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

  private static boolean listsTimeWait(List<ConnectionObservation> sample) {
    return sample.stream().anyMatch(o -> o.state() == TcpState.TIME_WAIT);
  }

  @Test
  void timeWaitRowsAreListedBySamplesAtLeastAnIntervalApart() throws IOException {
    assertThat(listsTimeWait(source.sample(SMTP))).isTrue();
    now += Duration.ofMillis(250).toNanos();
    assertThat(listsTimeWait(source.sample(SMTP))).isFalse();
    now += ProcNetTcpSource.TIME_WAIT_INTERVAL.toNanos() - Duration.ofMillis(250).toNanos();

    assertThat(listsTimeWait(source.sample(SMTP))).isTrue();
  }

  @Test
  void samplesWithoutTimeWaitRowsStillListEveryOtherState() throws IOException {
    var first = source.sample(SMTP);
    now += Duration.ofMillis(250).toNanos();

    var next = source.sample(SMTP);

    assertThat(next).containsExactlyInAnyOrderElementsOf(
        first.stream().filter(o -> o.state() != TcpState.TIME_WAIT).toList());
  }

  @Test
  void tableAskedForSomeStatesOnlyByDefaultFiltersTheRowsItRead() throws IOException {
    SocketTable files = new ProcNetTcpTable(proc.resolve("net"), ByteOrder.LITTLE_ENDIAN);

    SocketTable.Rows rows = files.read(SMTP, Set.of(TcpState.TIME_WAIT));

    assertThat(rows.rows()).isNotEmpty().allSatisfy(r -> assertThat(r.state()).isEqualTo(TcpState.TIME_WAIT));
  }

  /** A table whose rows the test sets, counting its reads. */
  private static final class SettableTable implements SocketTable {
    List<SocketRow> rows = List.of();
    int reads;
    boolean failNextRead;

    @Override
    public String name() {
      return "settable";
    }

    @Override
    public Rows read(Set<Integer> remotePorts) throws IOException {
      reads++;
      if (failNextRead) {
        failNextRead = false;
        throw new IOException("netlink receive failed");
      }
      return new Rows(rows, 0);
    }
  }

  private static final SocketRow SMTP_SESSION =
      new SocketRow(ep("10.0.0.5", 40_100), ep("192.0.2.25", 25), TcpState.ESTABLISHED, 1000, 48213);

  @Test
  void emptyTableIsNotReadAgainWhileTheNamespaceOpensNoConnection() throws IOException {
    SettableTable table = new SettableTable();
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, () -> java.util.OptionalLong.of(7));
    src.sample(SMTP);
    now += Duration.ofMillis(250).toNanos();

    assertThat(src.sample(SMTP)).isEmpty();
    assertThat(table.reads).isEqualTo(1);
    assertThat(src.readsSkipped()).isEqualTo(1);
  }

  @Test
  void connectionOpenedSinceTheLastSampleIsLookedFor() throws IOException {
    SettableTable table = new SettableTable();
    long[] opened = {7};
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now,
        () -> java.util.OptionalLong.of(opened[0]));
    src.sample(SMTP);
    opened[0]++;
    table.rows = List.of(SMTP_SESSION);
    now += Duration.ofMillis(250).toNanos();

    assertThat(src.sample(SMTP)).extracting(o -> o.local().port()).containsExactly(40_100);
  }

  @Test
  void connectionOpenedBeforeAFailedReadIsLookedForOnTheNextSample() throws IOException {
    SettableTable table = new SettableTable();
    long[] opened = {7};
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now,
        () -> java.util.OptionalLong.of(opened[0]));
    src.sample(SMTP);
    opened[0]++;
    table.rows = List.of(SMTP_SESSION);
    table.failNextRead = true;
    now += Duration.ofMillis(250).toNanos();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> src.sample(SMTP)).isInstanceOf(IOException.class);
    now += Duration.ofMillis(250).toNanos();

    assertThat(src.sample(SMTP)).extracting(o -> o.local().port()).containsExactly(40_100);
  }

  @Test
  void tableListingWatchedSocketsIsReadOnEverySample() throws IOException {
    SettableTable table = new SettableTable();
    table.rows = List.of(SMTP_SESSION);
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, () -> java.util.OptionalLong.of(7));
    src.sample(SMTP);
    table.rows = List.of(new SocketRow(SMTP_SESSION.local(), SMTP_SESSION.remote(), TcpState.TIME_WAIT, 0, 0));
    now += Duration.ofMillis(250).toNanos();

    src.sample(SMTP);
    now += Duration.ofMillis(250).toNanos();
    src.sample(SMTP);

    assertThat(src.readsSkipped()).isZero();
  }

  @Test
  void countOfOpenedConnectionsIsNotReadWhileWatchedSocketsAreListed() throws IOException {
    SettableTable table = new SettableTable();
    table.rows = List.of(SMTP_SESSION);
    int[] countsRead = {0};
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, () -> {
      countsRead[0]++;
      return java.util.OptionalLong.of(7);
    });
    src.sample(SMTP);
    now += Duration.ofMillis(250).toNanos();
    src.sample(SMTP);
    now += Duration.ofMillis(250).toNanos();

    src.sample(SMTP);

    assertThat(countsRead[0]).isEqualTo(1); // the first sample's, before anything was listed
  }

  @Test
  void quietNamespaceIsSkippedAgainFromTheSecondSampleAfterTheLastSocketIsGone() throws IOException {
    SettableTable table = new SettableTable();
    table.rows = List.of(SMTP_SESSION);
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, () -> java.util.OptionalLong.of(7));
    src.sample(SMTP);
    table.rows = List.of();
    now += ProcNetTcpSource.TIME_WAIT_INTERVAL.toNanos();
    src.sample(SMTP); // lists nothing, TIME_WAITs included: the count is read again from the next sample
    now += Duration.ofMillis(250).toNanos();
    src.sample(SMTP); // reads the count and the table
    int readsBefore = table.reads;

    now += Duration.ofMillis(250).toNanos();
    src.sample(SMTP);

    assertThat(table.reads).isEqualTo(readsBefore);
    assertThat(src.readsSkipped()).isEqualTo(1);
  }

  @Test
  void timeWaitListedByTheLastTimeWaitReadKeepsTheTableRead() throws IOException {
    SettableTable table = new SettableTable();
    table.rows = List.of(new SocketRow(SMTP_SESSION.local(), SMTP_SESSION.remote(), TcpState.TIME_WAIT, 0, 0));
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, () -> java.util.OptionalLong.of(7));
    src.sample(SMTP); // lists the TIME_WAIT
    now += Duration.ofMillis(250).toNanos();
    src.sample(SMTP); // leaves TIME_WAIT out: lists nothing

    now += Duration.ofMillis(250).toNanos();
    src.sample(SMTP);

    assertThat(table.reads).isEqualTo(3);
  }

  @Test
  void quietNamespaceIsReadAtLeastOncePerMaxQuietSkip() throws IOException {
    SettableTable table = new SettableTable();
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, () -> java.util.OptionalLong.of(7));
    src.sample(SMTP);
    now += ProcNetTcpSource.MAX_QUIET_SKIP.toNanos();

    src.sample(SMTP);

    assertThat(table.reads).isEqualTo(2);
  }

  @Test
  void withoutOpenCountersEverySampleReadsTheTable() throws IOException {
    SettableTable table = new SettableTable();
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, java.util.OptionalLong::empty);
    src.sample(SMTP);
    now += Duration.ofMillis(250).toNanos();

    src.sample(SMTP);

    assertThat(table.reads).isEqualTo(2);
  }

  @Test
  void otherWatchedPortsAreReadEvenWhenNothingWasOpened() throws IOException {
    SettableTable table = new SettableTable();
    ProcNetTcpSource src = new ProcNetTcpSource(proc, table, users, () -> now, () -> java.util.OptionalLong.of(7));
    src.sample(SMTP);
    now += Duration.ofMillis(250).toNanos();

    src.sample(Set.of(2525));

    assertThat(table.reads).isEqualTo(2);
  }
}
