package io.labscan.agent.checks.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.checks.egress.Endpoint;
import io.labscan.agent.checks.egress.TcpState;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sock_diag codec on datagrams built here as the kernel lays them out. */
class InetDiagMessagesTest {
  private static final byte[] LOOPBACK = {127, 0, 0, 1};
  private static final byte[] MX = {(byte) 192, 0, 2, 25};

  @Test
  void dumpRequestAsksForTcpSocketsOfOneFamilyInTheGivenStates() {
    ByteBuffer b = InetDiagMessages.dumpRequest(InetDiagMessages.AF_INET6,
        EnumSet.of(TcpState.ESTABLISHED, TcpState.SYN_SENT), Set.of(), 7).order(ByteOrder.nativeOrder());

    assertThat(b.remaining()).isEqualTo(72);
    assertThat(b.getInt(0)).isEqualTo(72);
    assertThat(b.getShort(4)).isEqualTo((short) 20); // SOCK_DIAG_BY_FAMILY
    assertThat(b.getShort(6)).isEqualTo((short) 0x301); // NLM_F_REQUEST | NLM_F_DUMP
    assertThat(b.getInt(8)).isEqualTo(7);
    assertThat(b.get(16)).isEqualTo((byte) 10); // AF_INET6
    assertThat(b.get(17)).isEqualTo((byte) 6); // IPPROTO_TCP
    assertThat(b.getInt(20)).isEqualTo((1 << 1) | (1 << 2));
  }

  @Test
  void dumpRequestCarriesTheRemotePortFilterAsAnAttribute() {
    ByteBuffer b = InetDiagMessages.dumpRequest(InetDiagMessages.AF_INET, EnumSet.of(TcpState.ESTABLISHED),
        Set.of(25, 587), 1).order(ByteOrder.nativeOrder());

    assertThat(b.getInt(0)).isEqualTo(72 + 4 + 36).isEqualTo(b.remaining());
    assertThat(b.getShort(72)).isEqualTo((short) 40); // rtattr length
    assertThat(b.getShort(74)).isEqualTo((short) 1); // INET_DIAG_REQ_BYTECODE
  }

  @Test
  void portFilterTestsEachPortAndAcceptsAtTheEndOrRejectsPastIt() {
    ByteBuffer f = ByteBuffer.wrap(InetDiagMessages.remotePortFilter(Set.of(587, 25))).order(ByteOrder.nativeOrder());

    assertThat(f.remaining()).isEqualTo(36);
    // port 25: D_GE (yes: on to D_LE, no: port 587's block at 20), D_LE (no: 587's block), JMP to the end
    assertThat(op(f, 0)).containsExactly(4, 8, 20);
    assertThat(op(f, 4)).containsExactly(0, 0, 25);
    assertThat(op(f, 8)).containsExactly(5, 8, 12);
    assertThat(op(f, 16)).containsExactly(1, 4, 20);
    // port 587: a failed test jumps to end + 4 (reject), a passed D_LE lands on the end (accept)
    assertThat(op(f, 20)).containsExactly(4, 8, 20);
    assertThat(op(f, 24)).containsExactly(0, 0, 587);
    assertThat(op(f, 28)).containsExactly(5, 8, 12);
  }

  @Test
  void tooManyPortsForTheFilterAreFilteredHereInstead() {
    Set<Integer> many = new java.util.HashSet<>();
    for (int p = 1; p <= InetDiagMessages.MAX_FILTER_PORTS + 1; p++) {
      many.add(p);
    }

    ByteBuffer b = InetDiagMessages.dumpRequest(InetDiagMessages.AF_INET, EnumSet.of(TcpState.ESTABLISHED), many, 1);

    assertThat(b.remaining()).isEqualTo(72);
  }

  @Test
  void oneDumpRequestForBothFamiliesUsesTheCompatibilityTypeWithoutAFamily() {
    ByteBuffer b = InetDiagMessages.dumpRequestBothFamilies(EnumSet.of(TcpState.ESTABLISHED, TcpState.SYN_SENT),
        Set.of(), 9).order(ByteOrder.nativeOrder());

    assertThat(b.remaining()).isEqualTo(76);
    assertThat(b.getInt(0)).isEqualTo(76);
    assertThat(b.getShort(4)).isEqualTo((short) 18); // TCPDIAG_GETSOCK
    assertThat(b.getShort(6)).isEqualTo((short) 0x301); // NLM_F_REQUEST | NLM_F_DUMP
    assertThat(b.getInt(8)).isEqualTo(9);
    assertThat(b.get(16)).isZero(); // no family: the kernel answers both
    assertThat(b.getInt(16 + 4 + 40)).isEqualTo(-1); // no cookie
    assertThat(b.getInt(16 + 52)).isEqualTo((1 << 1) | (1 << 2)); // idiag_states after the sockid
  }

  @Test
  void oneDumpRequestCarriesTheSamePortFilter() {
    ByteBuffer b = InetDiagMessages.dumpRequestBothFamilies(EnumSet.of(TcpState.ESTABLISHED), Set.of(25, 587), 1)
        .order(ByteOrder.nativeOrder());

    assertThat(b.getInt(0)).isEqualTo(76 + 4 + 36).isEqualTo(b.remaining());
    assertThat(b.getShort(76)).isEqualTo((short) 40);
    assertThat(b.getShort(78)).isEqualTo((short) 1); // INET_DIAG_REQ_BYTECODE
    byte[] filter = new byte[36];
    b.get(80, filter);
    assertThat(filter).isEqualTo(InetDiagMessages.remotePortFilter(Set.of(25, 587)));
  }

  @Test
  void repliesToTheOneDumpRequestAreReadLikeTheOthers() throws IOException {
    byte[] v4 = diag(2, 1, LOOPBACK, 40_010, MX, 25, 1000, 501);
    byte[] v6 = diag(10, 1, new byte[16], 40_011, new byte[16], 25, 1000, 502);
    ByteBuffer.wrap(v4).order(ByteOrder.nativeOrder()).putShort(4, (short) 18);
    ByteBuffer.wrap(v6).order(ByteOrder.nativeOrder()).putShort(4, (short) 18);
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.Batch batch = InetDiagMessages.parse(datagram(v4, v6, done()), Set.of(25), 100, rows);

    assertThat(batch.done()).isTrue();
    assertThat(rows).extracting(SocketRow::inode).containsExactly(501L, 502L);
  }

  @Test
  void errorReplyCanBeToldApartByItsErrno() {
    ByteBuffer error = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
    error.putInt(36).putShort((short) 2).putShort((short) 0).putInt(1).putInt(0).putInt(-22);

    assertThatThrownBy(() -> InetDiagMessages.parse(datagram(error.array()), Set.of(25), 100, new ArrayList<>()))
        .isInstanceOfSatisfying(InetDiagMessages.ErrorReply.class, e -> assertThat(e.errno()).isEqualTo(22));
  }

  private static int[] op(ByteBuffer f, int at) {
    return new int[] {Byte.toUnsignedInt(f.get(at)), Byte.toUnsignedInt(f.get(at + 1)),
        Short.toUnsignedInt(f.getShort(at + 2))};
  }

  @Test
  void rowToAWatchedPortGivesAddressesPortsStateOwnerAndInode() throws IOException {
    ByteBuffer datagram = datagram(diag(2, 1, LOOPBACK, 40_001, MX, 25, 1000, 123_456), done());
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.Batch batch = InetDiagMessages.parse(datagram, Set.of(25), 100, rows);

    assertThat(batch.done()).isTrue();
    assertThat(rows).containsExactly(new SocketRow(new Endpoint(InetAddress.getByAddress(LOOPBACK), 40_001),
        new Endpoint(InetAddress.getByAddress(MX), 25), TcpState.ESTABLISHED, 1000, 123_456));
  }

  @Test
  void portsAboveThirtyTwoThousandAreReadUnsigned() throws IOException {
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.parse(datagram(diag(2, 2, LOOPBACK, 61_000, MX, 50_587, 0, 9), done()), Set.of(50_587), 100,
        rows);

    assertThat(rows).singleElement().satisfies(r -> {
      assertThat(r.local().port()).isEqualTo(61_000);
      assertThat(r.remote().port()).isEqualTo(50_587);
      assertThat(r.state()).isEqualTo(TcpState.SYN_SENT);
    });
  }

  @Test
  void ipv6RowKeepsItsSixteenByteAddresses() throws IOException {
    byte[] local = InetAddress.getByName("2001:db8::7").getAddress();
    byte[] remote = InetAddress.getByName("2001:db8::25").getAddress();
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.parse(datagram(diag(10, 1, local, 40_002, remote, 587, 0, 1), done()), Set.of(587), 100, rows);

    assertThat(rows).singleElement().satisfies(r -> assertThat(r.remote().ip()).isEqualTo("2001:db8::25"));
  }

  @Test
  void rowsToOtherPortsAreLeftOut() throws IOException {
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.Batch batch = InetDiagMessages.parse(datagram(diag(2, 1, LOOPBACK, 40_003, MX, 443, 0, 1)),
        Set.of(25), 100, rows);

    assertThat(rows).isEmpty();
    assertThat(batch.done()).isFalse(); // more datagrams follow
  }

  @Test
  void rowsBeyondTheBoundAreDropped() throws IOException {
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.parse(datagram(diag(2, 1, LOOPBACK, 1, MX, 25, 0, 1), diag(2, 1, LOOPBACK, 2, MX, 25, 0, 2),
        diag(2, 1, LOOPBACK, 3, MX, 25, 0, 3), done()), Set.of(25), 2, rows);

    assertThat(rows).hasSize(2);
  }

  @Test
  void errorReplyCarriesTheKernelsErrno() {
    ByteBuffer error = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
    error.putInt(20).putShort((short) 2).putShort((short) 0).putInt(1).putInt(0).putInt(-13);

    assertThatThrownBy(() -> InetDiagMessages.parse(datagram(error.array()), Set.of(25), 100, new ArrayList<>()))
        .isInstanceOf(IOException.class).hasMessageContaining("errno 13");
  }

  @Test
  void messageLongerThanTheDatagramIsAnErrorNotAnOverrun() {
    byte[] row = diag(2, 1, LOOPBACK, 40_004, MX, 25, 0, 1);
    ByteBuffer.wrap(row).order(ByteOrder.nativeOrder()).putInt(0, 4096);

    assertThatThrownBy(() -> InetDiagMessages.parse(datagram(row), Set.of(25), 100, new ArrayList<>()))
        .isInstanceOf(IOException.class).hasMessageContaining("4096 bytes");
  }

  @Test
  void unknownStateCodeIsSkippedNotFatal() throws IOException {
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.parse(datagram(diag(2, 0x3f, LOOPBACK, 40_005, MX, 25, 0, 1), done()), Set.of(25), 100, rows);

    assertThat(rows).isEmpty();
  }

  @Test
  void socketListedAgainUnchangedIsHandedBackAsTheRowParsedBefore() throws IOException {
    SocketRowCache cache = new SocketRowCache();
    List<SocketRow> first = new ArrayList<>();
    List<SocketRow> second = new ArrayList<>();

    InetDiagMessages.parse(datagram(withCookie(diag(2, 1, LOOPBACK, 40_020, MX, 25, 1000, 77), 0x1_0000_0005L),
        done()), Set.of(25), 100, first, cache);
    cache.endRead(EnumSet.allOf(TcpState.class));
    InetDiagMessages.parse(datagram(withCookie(diag(2, 1, LOOPBACK, 40_020, MX, 25, 1000, 77), 0x1_0000_0005L),
        done()), Set.of(25), 100, second, cache);

    assertThat(second).singleElement().isSameAs(first.get(0));
    assertThat(cache.reused()).isEqualTo(1);
  }

  @Test
  void socketThatChangedStateIsParsedAgain() throws IOException {
    SocketRowCache cache = new SocketRowCache();
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.parse(datagram(withCookie(diag(2, 1, LOOPBACK, 40_021, MX, 25, 1000, 78), 9), done()),
        Set.of(25), 100, rows, cache);
    cache.endRead(EnumSet.allOf(TcpState.class));
    InetDiagMessages.parse(datagram(withCookie(diag(2, 6, LOOPBACK, 40_021, MX, 25, 0, 0), 9), done()),
        Set.of(25), 100, rows, cache);

    assertThat(rows).extracting(SocketRow::state).containsExactly(TcpState.ESTABLISHED, TcpState.TIME_WAIT);
    assertThat(rows.get(1).remote()).isEqualTo(rows.get(0).remote());
    assertThat(cache.reused()).isZero();
  }

  @Test
  void sameCookieWithOtherPortsIsNotTakenForTheSameSocket() throws IOException {
    SocketRowCache cache = new SocketRowCache();
    List<SocketRow> rows = new ArrayList<>();

    InetDiagMessages.parse(datagram(withCookie(diag(2, 1, LOOPBACK, 40_022, MX, 25, 1000, 79), 11), done()),
        Set.of(25), 100, rows, cache);
    cache.endRead(EnumSet.allOf(TcpState.class));
    InetDiagMessages.parse(datagram(withCookie(diag(2, 1, LOOPBACK, 40_023, MX, 25, 1000, 79), 11), done()),
        Set.of(25), 100, rows, cache);

    assertThat(rows).extracting(r -> r.local().port()).containsExactly(40_022, 40_023);
  }

  @Test
  void rowNotListedAgainByAReadAskingForItsStateIsForgotten() throws IOException {
    SocketRowCache cache = new SocketRowCache();
    InetDiagMessages.parse(datagram(withCookie(diag(2, 1, LOOPBACK, 40_024, MX, 25, 1000, 80), 12), done()),
        Set.of(25), 100, new ArrayList<>(), cache);
    cache.endRead(EnumSet.allOf(TcpState.class));

    InetDiagMessages.parse(datagram(done()), Set.of(25), 100, new ArrayList<>(), cache);
    cache.endRead(EnumSet.of(TcpState.ESTABLISHED));

    assertThat(cache.size()).isZero();
  }

  @Test
  void rowOfAStateTheReadDidNotAskForIsKeptForALaterRead() throws IOException {
    SocketRowCache cache = new SocketRowCache();
    List<SocketRow> first = new ArrayList<>();
    List<SocketRow> later = new ArrayList<>();
    InetDiagMessages.parse(datagram(withCookie(diag(2, 6, LOOPBACK, 40_025, MX, 25, 0, 0), 13), done()),
        Set.of(25), 100, first, cache);
    cache.endRead(EnumSet.allOf(TcpState.class));

    InetDiagMessages.parse(datagram(done()), Set.of(25), 100, new ArrayList<>(), cache);
    cache.endRead(EnumSet.of(TcpState.ESTABLISHED)); // a read without TIME_WAIT
    InetDiagMessages.parse(datagram(withCookie(diag(2, 6, LOOPBACK, 40_025, MX, 25, 0, 0), 13), done()),
        Set.of(25), 100, later, cache);

    assertThat(later).singleElement().isSameAs(first.get(0));
  }

  @Test
  void socketThatChangedStateIsHeldOnlyUnderItsNewStateOnceBothStatesWereRead() throws IOException {
    SocketRowCache cache = new SocketRowCache();
    InetDiagMessages.parse(datagram(withCookie(diag(2, 1, LOOPBACK, 40_026, MX, 25, 1000, 81), 14), done()),
        Set.of(25), 100, new ArrayList<>(), cache);
    cache.endRead(EnumSet.allOf(TcpState.class));

    InetDiagMessages.parse(datagram(withCookie(diag(2, 6, LOOPBACK, 40_026, MX, 25, 0, 0), 14), done()),
        Set.of(25), 100, new ArrayList<>(), cache);
    cache.endRead(EnumSet.allOf(TcpState.class));

    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void readWithoutTimeWaitKeepsTheTimeWaitRowsAndForgetsTheOthersNotListed() throws IOException {
    SocketRowCache cache = new SocketRowCache();
    InetDiagMessages.parse(datagram(withCookie(diag(2, 6, LOOPBACK, 40_027, MX, 25, 0, 0), 15),
        withCookie(diag(2, 1, LOOPBACK, 40_028, MX, 25, 1000, 82), 16), done()), Set.of(25), 100,
        new ArrayList<>(), cache);
    cache.endRead(EnumSet.allOf(TcpState.class));

    InetDiagMessages.parse(datagram(done()), Set.of(25), 100, new ArrayList<>(), cache);
    cache.endRead(EnumSet.complementOf(EnumSet.of(TcpState.TIME_WAIT)));

    assertThat(cache.size()).isEqualTo(1); // the TIME_WAIT row
  }

  private static byte[] withCookie(byte[] message, long cookie) {
    ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
    b.putInt(16 + InetDiagMessages.COOKIE, (int) cookie).putInt(16 + InetDiagMessages.COOKIE + 4, (int) (cookie >>> 32));
    return message;
  }

  /** One SOCK_DIAG_BY_FAMILY message: nlmsghdr + inet_diag_msg, ports and addresses in network order. */
  private static byte[] diag(int family, int state, byte[] src, int sport, byte[] dst, int dport, int uid,
      int inode) {
    ByteBuffer b = ByteBuffer.allocate(16 + 72).order(ByteOrder.nativeOrder());
    b.putInt(88).putShort((short) 20).putShort((short) 2).putInt(1).putInt(0);
    b.put((byte) family).put((byte) state).put((byte) 0).put((byte) 0);
    b.put((byte) (sport >> 8)).put((byte) sport).put((byte) (dport >> 8)).put((byte) dport);
    b.put(java.util.Arrays.copyOf(src, 16)).put(java.util.Arrays.copyOf(dst, 16));
    b.putInt(0).putInt(0).putInt(0); // interface, cookie
    b.putInt(0).putInt(0).putInt(0); // expires, rqueue, wqueue
    b.putInt(uid).putInt(inode);
    return b.array();
  }

  private static byte[] done() {
    ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
    b.putInt(20).putShort((short) 3).putShort((short) 2).putInt(1).putInt(0).putInt(0);
    return b.array();
  }

  private static ByteBuffer datagram(byte[]... messages) {
    ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(messages).mapToInt(m -> m.length).sum());
    for (byte[] m : messages) {
      b.put(m);
    }
    return b.flip();
  }
}
