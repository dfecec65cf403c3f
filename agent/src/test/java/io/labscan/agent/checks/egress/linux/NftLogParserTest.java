package io.labscan.agent.checks.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.ProcessInfo;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NftLogParserTest {
  private static final Instant NOW = Instant.parse("2026-03-02T09:14:07Z");
  private static final LongFunction<String> USERS = uid -> uid == 1000 ? "ann" : uid == 0 ? "root" : Long.toString(uid);
  private static List<String> records;

  @BeforeAll
  static void load() throws IOException {
    records = ProcNetTcpParserTest.fixture("kmsg-records.txt").lines().toList();
  }

  private static Optional<EgressEvent> parse(String record) {
    return NftLogParser.parseKmsgRecord(record, "labscan-smtp ", NOW, USERS);
  }

  @Test
  void ipv4SynLineGivesTheFourTupleAndTheUser() {
    EgressEvent e = parse(records.get(0)).orElseThrow();

    assertThat(e.local().toString()).isEqualTo("10.20.30.41:39228");
    assertThat(e.remote().toString()).isEqualTo("192.0.2.25:25");
    assertThat(e.owner()).isEqualTo(ProcessInfo.userOnly("ann"));
    assertThat(e.time()).isEqualTo(NOW);
  }

  @Test
  void ipv6AddressesInTheKernelsFullFormAreCanonicalised() {
    EgressEvent e = parse(records.get(1)).orElseThrow();

    assertThat(e.local().ip()).isEqualTo("2001:db8:10::41");
    assertThat(e.remote().toString()).isEqualTo("[2001:db8::587]:587");
    assertThat(e.owner().user()).isEqualTo("root");
  }

  @Test
  void otherKernelMessagesAreIgnored() {
    assertThat(parse(records.get(2))).isEmpty();
  }

  @Test
  void aLineWrittenFromUserSpaceIsNotTrusted() {
    // priority 14 = facility user: someone wrote it into /dev/kmsg, the kernel did not log it
    assertThat(parse(records.get(3))).isEmpty();
  }

  @Test
  void nonTcpAndNonLiteralAddressesAreIgnored() {
    assertThat(parse(records.get(4))).isEmpty();
    assertThat(parse(records.get(5))).isEmpty();
  }

  @Test
  void anotherPrefixIsSomeoneElsesRule() {
    assertThat(NftLogParser.parseKmsgRecord(records.get(0), "other-prefix ", NOW, USERS)).isEmpty();
  }

  @Test
  void missingUidLeavesTheOwnerUnknown() {
    String noUid = "4,1,1,-;labscan-smtp IN= OUT=eth0 SRC=10.0.0.1 DST=192.0.2.1 PROTO=TCP SPT=1025 DPT=25";

    assertThat(parse(noUid).orElseThrow().owner()).isEqualTo(ProcessInfo.unknown());
  }

  @Test
  void continuationLinesOfTheRecordAreNotParsed() {
    String record = "4,1,1,-;labscan-smtp IN= OUT=eth0 PROTO=TCP\n SRC=10.0.0.1 DST=192.0.2.1 SPT=1025 DPT=25";

    assertThat(parse(record)).isEmpty();
  }

  @Test
  void garbageNeverThrows() {
    for (String junk : List.of("", ";", ",;", "x,y;z", "7,;labscan-smtp ", "99999999999,1,1,-;labscan-smtp SRC=",
        "7,1,1,-;labscan-smtp SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=-1 DPT=25",
        "7,1,1,-;labscan-smtp SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=99999999999",
        "7,1,1,-;labscan-smtp ====== = =x x= PROTO=TCP", "7,1,1,-;" + "labscan-smtp ".repeat(2000))) {
      assertThat(parse(junk)).as(junk.length() > 40 ? junk.substring(0, 40) : junk).isEmpty();
    }
  }
}
