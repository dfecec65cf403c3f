package io.labscan.controller.triage;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TriageJsonTest {
  private final ObjectMapper mapper = new ObjectMapper();

  private TriageResult result() {
    ParsedComplaint c = Corpus.parse("postfix-relay-chain.eml", "198.51.100.0/24");
    Candidate pc17 = new Candidate("h-pc17", "PC17", 0.88, List.of("held 10.20.3.17", "SMTP egress"));
    HostState victim = new HostState("h-dave", "DAVE-PC", Optional.of(Instant.parse("2024-01-15T09:00:00Z")),
        "clean", List.of("clamav: fresh"));
    return new TriageResult(
        List.of(new ComplaintSummary(c.kind(), c.claimedSender(), Optional.of(victim), c.subject(), c.origin())),
        List.of(pc17), List.of());
  }

  @Test
  void triageResultSerializesToTheDocumentedNames() throws Exception {
    JsonNode json = mapper.readTree(mapper.writeValueAsString(result()));

    assertThat(json.at("/origin/ip").asText()).isEqualTo("10.20.3.17");
    assertThat(json.at("/origin/time").asText()).isEqualTo("2024-01-15T10:02:09Z");
    assertThat(json.at("/origin/hop").asInt()).isEqualTo(1);
    assertThat(json.at("/claimedSender").asText()).isEqualTo("dave@example.edu");
    assertThat(json.at("/candidates/0/hostId").asText()).isEqualTo("h-pc17");
    assertThat(json.at("/candidates/0/hostname").asText()).isEqualTo("PC17");
    assertThat(json.at("/candidates/0/confidence").asDouble()).isEqualTo(0.88);
    assertThat(json.at("/candidates/0/reasons/1").asText()).isEqualTo("SMTP egress");
    assertThat(json.at("/claimedSenderHost/lastReport").asText()).isEqualTo("2024-01-15T09:00:00Z");
  }

  @Test
  void candidateHasExactlyItsFiveFieldsThenTheNameAtTheMailsTime() throws Exception {
    JsonNode json = mapper.readTree(mapper.writeValueAsString(result()));

    // The original fields, unchanged and first; networkConfidence added in issue 15, red-team round 7
    // (what records); issue 15 D (red-team R9) adds the name the host reported at the mail's time and
    // when it took its current name, null without history.
    assertThat(json.at("/candidates/0").fieldNames()).toIterable()
        .containsExactly("hostId", "hostname", "confidence", "networkConfidence", "reasons", "nameAtTime", "renamedAt");
    assertThat(json.at("/candidates/0/nameAtTime").isNull()).isTrue();
    assertThat(json.at("/candidates/0/renamedAt").isNull()).isTrue();
  }

  @Test
  void missingOriginAndSenderAreNull() throws Exception {
    TriageResult r = new TriageResult(
        List.of(new ComplaintSummary(ComplaintKind.HEADERS, Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty())),
        List.of(), List.of("no Received: lines; no origin can be determined"));

    JsonNode json = mapper.readTree(mapper.writeValueAsString(r));

    assertThat(json.get("origin").isNull()).isTrue();
    assertThat(json.get("claimedSender").isNull()).isTrue();
    assertThat(json.get("candidates").isArray()).isTrue();
    assertThat(json.at("/warnings/0").asText()).startsWith("no Received: lines");
  }

  @Test
  void parsedComplaintSerializesHopsWithTheirTrust() throws Exception {
    ParsedComplaint c = Corpus.parse("postfix-relay-chain.eml", "198.51.100.0/24");

    JsonNode json = mapper.readTree(mapper.writeValueAsString(c));

    assertThat(json.at("/kind").asText()).isEqualTo("MESSAGE");
    assertThat(json.at("/hops/0/trust").asText()).isEqualTo("TRUSTED");
    assertThat(json.at("/hops/1/trust").asText()).isEqualTo("BOUNDARY");
    assertThat(json.at("/hops/1/fromIp").asText()).isEqualTo("10.20.3.17");
    assertThat(json.at("/hops/1/date").asText()).isEqualTo("2024-01-15T10:02:09Z");
    assertThat(json.at("/origin/trustedBecause").asText()).contains("--trust 198.51.100.0/24");
  }

  @Test
  void aForwardedComplaintSaysWhichPartWasTracedAtTheTopAndWhoForwardedIt() throws Exception {
    ParsedComplaint c = Corpus.parse("fwd-attached-outlook.eml");
    TriageResult r = new TriageResult(
        List.of(new ComplaintSummary(c.kind(), c.claimedSender(), Optional.empty(), c.subject(),
            c.origin(), c.tracedPart(), c.forwardedBy())),
        List.of(), List.of());

    JsonNode json = mapper.readTree(mapper.writeValueAsString(r));

    assertThat(json.get("tracedPart").asText())
        .isEqualTo("attachment 1 of the message (message/rfc822), forwarded by janet@example.edu");
    assertThat(json.get("claimedSender").asText()).isEqualTo("dave@example.edu");
    assertThat(json.at("/complaints/0/forwardedBy").asText()).isEqualTo("janet@example.edu");
  }

  @Test
  void aPlainMessageIsTracedAsItself() throws Exception {
    JsonNode json = mapper.readTree(mapper.writeValueAsString(Corpus.parse("postfix-relay-chain.eml")));

    assertThat(json.get("tracedPart").asText()).isEqualTo("the message itself");
    assertThat(json.get("forwardedBy").isNull()).isTrue();
  }
}
