package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property, over seeded random fleets: no answer ever names a host excluded as a trusted hop
 * (a mail server, or the holder of a trusted relay's address at the origin time), however the
 * fleet's addresses, egress and harvests fall. jqwik is not in the build; a fixed seed keeps a
 * failure reproducible (the message names the fleet).
 */
class TrustedHopPropertyTest {
  private static final byte[] KEY = "fleet-key-for-tests-0123456789ab".getBytes(StandardCharsets.US_ASCII);
  private static final Instant T = Instant.parse("2024-01-15T10:00:00Z");
  private static final DateTimeFormatter RFC5322 =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final String RELAY_IP = "10.20.0.25";
  private static final List<String> PEOPLE = List.of("alice@lab.example.edu", "bob@example.net",
      "harold@lab.example.edu", "janet@lab.example.edu", "dean@lab.example.edu");

  @Test
  void noAnswerEverNamesAMailServerOrTheHolderOfATrustedHop() throws Exception {
    Random random = new Random(0x15_0C_2026L);
    int fleetsWithExclusions = 0;
    for (int fleet = 0; fleet < 400; fleet++) {
      FakeEvidence evidence = new FakeEvidence(KEY);
      int hosts = 3 + random.nextInt(12);
      Set<String> mailServers = new HashSet<>();
      List<String> ips = List.of(RELAY_IP, "10.20.3.17", "10.20.3.18", "10.20.3.19", "203.0.113.1");
      for (int h = 0; h < hosts; h++) {
        String id = "h" + h;
        evidence.host(id, "PC" + h);
        if (random.nextInt(5) == 0) {
          evidence.mailServer(id);
          mailServers.add(id);
        }
        int holdings = random.nextInt(3);
        for (int k = 0; k < holdings; k++) {
          String ip = ips.get(random.nextInt(ips.size()));
          Instant since = T.minus(Duration.ofMinutes(random.nextInt(600)));
          Instant until = random.nextBoolean() ? null : since.plus(Duration.ofMinutes(1 + random.nextInt(900)));
          if (random.nextInt(4) == 0) {
            evidence.heldThenSilent(id, ip, since, since.plus(Duration.ofMinutes(random.nextInt(300))),
                Duration.ofHours(2));
          } else {
            evidence.held(id, ip, since, until);
          }
        }
        if (random.nextBoolean()) {
          Instant start = T.plus(Duration.ofMinutes(random.nextInt(40) - 20));
          evidence.egress(id, start, start.plusSeconds(60), random.nextInt(3) == 0,
              random.nextBoolean() ? "192.0.2.25" : RELAY_IP);
        }
        if (random.nextBoolean()) {
          evidence.harvested(id, PEOPLE.subList(0, 1 + random.nextInt(PEOPLE.size())).toArray(String[]::new));
        }
      }
      String origin = ips.get(1 + random.nextInt(ips.size() - 1));
      boolean viaRelay = random.nextBoolean();
      ParsedComplaint complaint = complaint(origin, viaRelay);

      TriageResult result = new Triage(evidence, KEY, TriageOptions.defaults()).triage(complaint);

      Set<String> excluded = new HashSet<>(mailServers);
      if (viaRelay) {
        // A host that held the origin itself stays a suspect even if it also claims the relay's
        // address (a lying agent cannot exonerate itself that way).
        Set<String> originHolders = new HashSet<>();
        for (AddressHolding h : evidence.holdersOf(origin, T)) {
          if (h.covers(T)) {
            originHolders.add(h.hostId());
          }
        }
        for (AddressHolding h : evidence.holdersOf(RELAY_IP, T)) {
          if (h.covers(T) && !originHolders.contains(h.hostId())) {
            excluded.add(h.hostId());
          }
        }
      }
      for (Candidate c : result.candidates()) {
        assertThat(excluded).as("fleet %d (origin %s, via relay %s): %s", fleet, origin, viaRelay, c)
            .doesNotContain(c.hostId());
      }
      if (!excluded.isEmpty()) {
        fleetsWithExclusions++;
      }
    }
    // The property was put to the test: most fleets had hosts to exclude.
    assertThat(fleetsWithExclusions).isGreaterThan(200);
  }

  /** MX ← lab relay (in --trust) ← {@code origin}, or MX ← {@code origin} directly. */
  private static ParsedComplaint complaint(String origin, boolean viaRelay) throws NotAMailMessageException {
    List<String> lines = new ArrayList<>();
    if (viaRelay) {
      lines.add("Received: from relay.lab.example.edu (relay.lab.example.edu [" + RELAY_IP + "]) by mx.example.net"
          + " (192.0.2.25) with ESMTP; " + RFC5322.format(T));
      lines.add("Received: from PC (unknown [" + origin + "]) by relay.lab.example.edu (" + RELAY_IP
          + ") with SMTP; " + RFC5322.format(T));
    } else {
      lines.add("Received: from PC (unknown [" + origin + "]) by mx.example.net (192.0.2.25) with SMTP; "
          + RFC5322.format(T));
    }
    lines.add("From: harold@lab.example.edu");
    lines.add("To: janet@lab.example.edu, alice@lab.example.edu");
    lines.add("Subject: let's be friends");
    lines.add("");
    lines.add("body");
    String mail = String.join("\r\n", lines) + "\r\n";
    return ComplaintParser.parse(mail.getBytes(StandardCharsets.US_ASCII),
        viaRelay ? TrustConfig.of(List.of(RELAY_IP)) : TrustConfig.none());
  }
}
