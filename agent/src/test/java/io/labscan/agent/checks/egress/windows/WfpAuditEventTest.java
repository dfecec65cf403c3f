package io.labscan.agent.checks.egress.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.checks.egress.EgressEvent;
import io.labscan.agent.checks.egress.EgressFixtures;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Security events 5156 and 5157 on recorded fixtures (EvtRender XML), and the Windows source's batch handling. */
class WfpAuditEventTest {
  private static final Set<Integer> SMTP = Set.of(25, 465, 587);
  private static final Map<String, String> VOLUMES = Map.of("C:", "\\Device\\HarddiskVolume3");

  private static String xml(String name) throws IOException {
    return EgressFixtures.text(name);
  }

  @Test
  void outboundSmtpConnectionNamesTheProcessAndTheFourTuple() throws IOException {
    var parsed = WfpAuditEventParser.parse(xml("wfp-5156-outbound-smtp.xml"), SMTP).orElseThrow();
    EgressEvent e = parsed.event().orElseThrow();

    assertThat(parsed.recordId()).isEqualTo(1183422);
    assertThat(e.owner().pid()).isEqualTo(5312);
    assertThat(e.owner().path()).isEqualTo("\\device\\harddiskvolume3\\windows\\system32\\winkqmtx.exe");
    assertThat(e.owner().name()).isEqualTo("winkqmtx.exe");
    assertThat(e.local().toString()).isEqualTo("10.20.30.41:50412");
    assertThat(e.remote().toString()).isEqualTo("192.0.2.25:25");
    assertThat(e.time()).isEqualTo(Instant.parse("2026-03-02T09:14:07.1234567Z"));
  }

  @Test
  void ipv6SubmissionPortIsAConnectionToo() throws IOException {
    EgressEvent e = WfpAuditEventParser.parse(xml("wfp-5156-outbound-ipv6-submission.xml"), SMTP).orElseThrow()
        .event().orElseThrow();

    assertThat(e.remote().toString()).isEqualTo("[2001:db8::587]:587");
    assertThat(e.owner().name()).isEqualTo("outlook.exe");
  }

  @Test
  void inboundConnectionsToALocalServerAreNotEgress() throws IOException {
    var parsed = WfpAuditEventParser.parse(xml("wfp-5156-inbound-smtp.xml"), SMTP).orElseThrow();

    assertThat(parsed.event()).isEmpty();
    assertThat(parsed.recordId()).isEqualTo(1183423);
  }

  @Test
  void otherPortsAndUdpAreNotEgress() throws IOException {
    assertThat(WfpAuditEventParser.parse(xml("wfp-5156-outbound-https.xml"), SMTP).orElseThrow().event()).isEmpty();
    assertThat(WfpAuditEventParser.parse(xml("wfp-5156-udp-dns.xml"), Set.of(53)).orElseThrow().event()).isEmpty();
  }

  @Test
  void documentTypeDeclarationsAreRefused() throws IOException {
    assertThat(WfpAuditEventParser.parse(xml("wfp-5156-doctype.xml"), SMTP)).isEmpty();
  }

  @Test
  void malformedXmlGivesNothing() {
    for (String junk : List.of("", "<", "<Event/>", "<Event><System/></Event>", "not xml at all",
        "<Event><System><EventRecordID>-3</EventRecordID></System></Event>")) {
      assertThat(WfpAuditEventParser.parse(junk, SMTP)).as(junk).isEmpty();
    }
  }

  @Test
  void devicePathsAreShownWithDriveLetters() {
    assertThat(DevicePaths.toDrivePath("\\device\\harddiskvolume3\\windows\\system32\\winkqmtx.exe", VOLUMES))
        .isEqualTo("C:\\windows\\system32\\winkqmtx.exe");
  }

  @Test
  void aVolumeIsOnlyMatchedAtAPathBoundary() {
    // HarddiskVolume3 must not claim HarddiskVolume30
    assertThat(DevicePaths.toDrivePath("\\Device\\HarddiskVolume30\\x.exe", VOLUMES))
        .isEqualTo("\\Device\\HarddiskVolume30\\x.exe");
  }

  @Test
  void sourceDeliversMatchingEventsWithDrivePathsAndAdvancesPastEveryRecord() throws IOException {
    WfpAuditEventSource source = new WfpAuditEventSource(new SecurityAuditLog() {
      @Override
      public long latestRecordId(int eventId) {
        return 0;
      }

      @Override
      public List<String> eventsAfter(int eventId, long recordId, Set<Integer> ports, int max) {
        return List.of();
      }
    }, SMTP, () -> VOLUMES);
    List<EgressEvent> delivered = new ArrayList<>();

    long last = source.deliver(List.of(xml("wfp-5156-outbound-smtp.xml"), xml("wfp-5156-inbound-smtp.xml"),
        "garbage"), 1183000, VOLUMES, delivered::add);

    assertThat(last).isEqualTo(1183423);
    assertThat(delivered).singleElement().satisfies(e -> {
      assertThat(e.owner().path()).isEqualTo("C:\\windows\\system32\\winkqmtx.exe");
      assertThat(e.owner().name()).isEqualTo("winkqmtx.exe");
    });
  }

  @Test
  void logQueryFiltersOutboundTcpToTheWatchedPortsAfterTheLastRecord() {
    assertThat(WevtapiSecurityAuditLog.xpath(1183422, Set.of(587, 25)))
        .isEqualTo("*[System[EventID=5156 and EventRecordID>1183422] and EventData[Data[@Name='Direction']='%%14593'"
            + " and Data[@Name='Protocol']='6' and (Data[@Name='DestPort']='25' or Data[@Name='DestPort']='587')]]");
  }

  @Test
  void aBlockedSmtpAttemptNamesTheProcessTheDestinationAndTheFilterThatBlockedIt() throws IOException {
    var refused = WfpAuditEventParser.parseRefused(xml("wfp-5157-blocked-smtp-by-quarantine.xml"), SMTP).orElseThrow();
    EgressEvent attempt = refused.attempt().orElseThrow();

    assertThat(refused.recordId()).isEqualTo(2291107);
    assertThat(refused.filterRuntimeId()).isEqualTo(68211);
    assertThat(attempt.owner().pid()).isEqualTo(6128);
    assertThat(attempt.owner().path()).isEqualTo("\\device\\harddiskvolume3\\users\\ann\\appdata\\local\\temp\\winkqmtx.exe");
    assertThat(attempt.remote().toString()).isEqualTo("192.0.2.25:25");
    assertThat(attempt.time()).isEqualTo(Instant.parse("2026-12-07T08:41:12.5531208Z"));
  }

  @Test
  void aBlockedAttemptToAnotherPortIsNoSmtpAttempt() throws IOException {
    var refused = WfpAuditEventParser.parseRefused(xml("wfp-5157-blocked-https.xml"), SMTP).orElseThrow();

    assertThat(refused.attempt()).isEmpty();
    assertThat(refused.recordId()).isEqualTo(2291111);
  }

  @Test
  void eachParserTakesOnlyItsOwnEvent() throws IOException {
    assertThat(WfpAuditEventParser.parse(xml("wfp-5157-blocked-smtp-by-quarantine.xml"), SMTP).orElseThrow().event())
        .isEmpty();
    assertThat(WfpAuditEventParser.parseRefused(xml("wfp-5156-outbound-smtp.xml"), SMTP).orElseThrow().attempt())
        .isEmpty();
  }

  @Test
  void logQueryForBlockedConnectionsAsksForEvent5157() {
    assertThat(WevtapiSecurityAuditLog.xpath(WfpAuditEventParser.BLOCKED, 7, Set.of(25)))
        .startsWith("*[System[EventID=5157 and EventRecordID>7]");
  }
}
