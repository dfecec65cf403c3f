package io.labscan.agent.checks.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TCP open counters of /proc/net/snmp, on text laid out as Linux 6.x prints it. */
class TcpOpenCountersTest {
  private static final String SNMP = """
      Ip: Forwarding DefaultTTL InReceives InHdrErrors
      Ip: 1 64 10453117 0
      Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs
      Tcp: 1 200 120000 -1 204775 167527 37142 63562 2002 10383893
      Udp: InDatagrams NoPorts InErrors OutDatagrams
      Udp: 1517 0 0 1520
      """;

  @TempDir Path dir;

  @Test
  void sumsActiveAndPassiveOpens() {
    assertThat(TcpOpenCounters.parse(SNMP)).hasValue(204_775L + 167_527L);
  }

  @Test
  void textWithoutTcpCountersGivesNothing() {
    assertThat(TcpOpenCounters.parse("Ip: Forwarding\nIp: 1\n")).isEmpty();
  }

  @Test
  void tcpLinesWithoutPassiveOpensGiveNothing() {
    assertThat(TcpOpenCounters.parse("Tcp: RtoAlgorithm ActiveOpens\nTcp: 1 7\n")).isEmpty();
  }

  @Test
  void counterThatIsNotANumberGivesNothing() {
    assertThat(TcpOpenCounters.parse("Tcp: ActiveOpens PassiveOpens\nTcp: 12 x\n")).isEmpty();
  }

  @Test
  void fileIsReadEachTime() throws IOException {
    Path snmp = dir.resolve("snmp");
    Files.writeString(snmp, SNMP);
    TcpOpenCounters counters = new TcpOpenCounters(snmp);
    long before = counters.get().orElseThrow();

    Files.writeString(snmp, SNMP.replace("204775", "204776"));

    assertThat(counters.get()).hasValue(before + 1);
  }

  @Test
  void missingFileGivesNothing() {
    assertThat(new TcpOpenCounters(dir.resolve("absent")).get()).isEmpty();
  }
}
