package io.labscan.controller.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.labscan.controller.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A two-keys alert reaches webhooks and syslog as its own event, critical, with the recovery. */
class TwoKeysAlertTest {
  private final Alert alert = Alert.twoKeys("3c41a2ed-eb93-4b3e-8ae4-78e3a758230b", "lab-pc-07", Verdict.CLEAN,
      Instant.parse("2026-12-06T08:00:00Z"), "certificate 1f2e asked to renew for a new key after another holder "
          + "of the same certificate had already renewed it: two holders of this host's key");

  @Test
  void theWebhookBodyNamesTheTwoKeysEventAndHowToRecover() throws Exception {
    JsonNode body = new ObjectMapper().readTree(WebhookSink.body(alert));

    assertThat(body.get("event").asText()).isEqualTo("two-keys");
    assertThat(body.get("summary").asText()).contains("lab-pc-07").contains("two keys")
        .contains("enroll-token --host 3c41a2ed-eb93-4b3e-8ae4-78e3a758230b");
  }

  @Test
  void theSyslogLineIsCriticalWithItsOwnMessageId() {
    String line = new String(new SyslogMessage("controller-1").format(alert), StandardCharsets.UTF_8);

    assertThat(line).startsWith("<130>1 ").contains(" two-keys [labscan@32473 ");
  }
}
