package io.labscan.agent.checks.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.egress.EgressFixtures;
import io.labscan.agent.checks.egress.TcpState;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcNetTcpParserTest {
  private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

  static String fixture(String name) throws IOException {
    return EgressFixtures.text(name);
  }

  private static SocketRow rowFrom(List<SocketRow> rows, int localPort) {
    return rows.stream().filter(r -> r.local().port() == localPort).findFirst().orElseThrow();
  }

  @Test
  void ipv4AddressesAreLittleEndianWordsAndPortsAreHex() throws IOException {
    var parsed = ProcNetTcpParser.parse(fixture("proc-net-tcp.txt"), LE);

    SocketRow smtp = rowFrom(parsed.rows(), 51234);
    assertThat(smtp.local().ip()).isEqualTo("10.0.0.5");
    assertThat(smtp.remote().ip()).isEqualTo("192.0.2.25");
    assertThat(smtp.remote().port()).isEqualTo(25);
    assertThat(smtp.state()).isEqualTo(TcpState.ESTABLISHED);
    assertThat(smtp.uid()).isEqualTo(1000);
    assertThat(smtp.inode()).isEqualTo(48213);
  }

  @Test
  void everyStateCodeOfTheFixtureIsDecoded() throws IOException {
    var rows = ProcNetTcpParser.parse(fixture("proc-net-tcp.txt"), LE).rows();

    assertThat(rowFrom(rows, 22).state()).isEqualTo(TcpState.LISTEN);
    assertThat(rowFrom(rows, 40000).state()).isEqualTo(TcpState.SYN_SENT);
    assertThat(rowFrom(rows, 40001).state()).isEqualTo(TcpState.CLOSE_WAIT);
    assertThat(rowFrom(rows, 51236).state()).isEqualTo(TcpState.TIME_WAIT);
  }

  @Test
  void timeWaitRowsHaveNoOwnerInode() throws IOException {
    SocketRow timeWait = rowFrom(ProcNetTcpParser.parse(fixture("proc-net-tcp.txt"), LE).rows(), 51236);

    assertThat(timeWait.hasOwnerInode()).isFalse();
    assertThat(timeWait.remote().ip()).isEqualTo("192.0.2.25");
  }

  @Test
  void garbageLinesAreSkippedAndCountedButTheHeaderIsNot() throws IOException {
    var parsed = ProcNetTcpParser.parse(fixture("proc-net-tcp.txt"), LE);

    // free text, a bad hex port, a truncated row, an unknown state code 0F
    assertThat(parsed.skippedLines()).isEqualTo(4);
    assertThat(parsed.rows()).hasSize(8);
  }

  @Test
  void ipv6RowsDecodeEachWordSeparately() throws IOException {
    var rows = ProcNetTcpParser.parse(fixture("proc-net-tcp6.txt"), LE).rows();

    SocketRow v6 = rowFrom(rows, 50100);
    assertThat(v6.local().ip()).isEqualTo("2001:db8::5");
    assertThat(v6.remote().ip()).isEqualTo("2001:db8::25");
    assertThat(v6.remote().toString()).isEqualTo("[2001:db8::25]:25");
  }

  @Test
  void ipv4MappedIpv6AddressesAreShownAsIpv4() throws IOException {
    SocketRow mapped = rowFrom(ProcNetTcpParser.parse(fixture("proc-net-tcp6.txt"), LE).rows(), 50200);

    assertThat(mapped.local().ip()).isEqualTo("10.0.0.5");
    assertThat(mapped.remote().ip()).isEqualTo("192.0.2.10");
    assertThat(mapped.remote().toString()).isEqualTo("192.0.2.10:587");
  }

  @Test
  void ipv6LoopbackIsRecognisedAsLoopback() throws IOException {
    SocketRow loop = rowFrom(ProcNetTcpParser.parse(fixture("proc-net-tcp6.txt"), LE).rows(), 50300);

    assertThat(loop.remote().ip()).isEqualTo("::1");
    assertThat(loop.remote().isLoopback()).isTrue();
  }

  @Test
  void ipv6FileCountsItsMalformedAddressAndGarbageLines() throws IOException {
    var parsed = ProcNetTcpParser.parse(fixture("proc-net-tcp6.txt"), LE);

    assertThat(parsed.rows()).hasSize(5);
    assertThat(parsed.skippedLines()).isEqualTo(2);
  }

  @Test
  void portFilterReturnsOnlyRowsToWatchedPorts() throws IOException {
    var parsed = ProcNetTcpParser.parse(fixture("proc-net-tcp.txt"), LE, Set.of(25, 465, 587)::contains);

    assertThat(parsed.rows()).extracting(r -> r.remote().port()).containsOnly(25, 465, 587);
    assertThat(parsed.rows()).hasSize(5);
  }

  @Test
  void bigEndianMachinesPrintWordsInNetworkOrder() {
    String row = "   0: 0A000005:C822 C0000219:0019 01 00000000:00000000 00:00000000 00000000  1000 0 48213 1";

    SocketRow parsed = ProcNetTcpParser.parseLine(row, ByteOrder.BIG_ENDIAN, p -> true).orElseThrow();

    assertThat(parsed.local().ip()).isEqualTo("10.0.0.5");
    assertThat(parsed.remote().ip()).isEqualTo("192.0.2.25");
  }

  @Test
  void hostileTextNeverThrows() {
    List<String> hostile = List.of("", "\n\n\n", ":", "   0:", "0: :", "\u0000\u0000",
        "   0: 0100007F:FFFFF 0100007F:0019 01 0:0 0:0 0 99999999999999999999 0 1",
        "   0: 0100007F:0019 0100007F:0019 01 0:0 0:0 0 -1 0 1",
        "   0: 0100007F:0019 0100007F:0019 01 0:0 0:0 0 0 0 -5",
        "   0: \u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668:0019 0100007F:0019 01 0:0 0:0 0 0 0 1",
        "x".repeat(100_000));
    for (String text : hostile) {
      var parsed = ProcNetTcpParser.parse(text, LE);
      assertThat(parsed.rows()).as(text.length() > 40 ? text.substring(0, 40) : text).isEmpty();
    }
  }

  @Test
  void uidAndInodeColumnsMustBeDecimal() {
    String row = "   0: 0100007F:9C40 0100007F:0019 01 00000000:00000000 00:00000000 00000000  10x0 0 48213 1";

    var parsed = ProcNetTcpParser.parse(row, LE);

    assertThat(parsed.rows()).isEmpty();
    assertThat(parsed.skippedLines()).isEqualTo(1);
  }
}
