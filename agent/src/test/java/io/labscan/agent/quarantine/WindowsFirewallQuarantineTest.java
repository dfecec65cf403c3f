package io.labscan.agent.quarantine;

import io.labscan.contract.quarantine.QuarantineRules;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Windows quarantine's command lines, checked on fixtures (netsh cannot run here). */
class WindowsFirewallQuarantineTest {
  private static final String NETSH = "C:\\Windows\\System32\\netsh.exe";

  private final List<List<String>> ran = new ArrayList<>();

  private WindowsFirewallQuarantine recording(int deleteExit, String deleteOutput) {
    return new WindowsFirewallQuarantine((command, output) -> {
      ran.add(command);
      if (command.contains("delete")) {
        output.append(deleteOutput);
        return deleteExit;
      }
      return 0;
    }, NETSH);
  }

  @Test
  void installingReplacesTheServicesOwnBlockRuleForTheSmtpPorts() throws IOException {
    recording(1, "No rules match the specified criteria.\r\n").install(QuarantineRules.of(Set.of(25, 465, 587), Set.of(), List.of()));

    assertThat(ran).containsExactly(
        List.of(NETSH, "advfirewall", "firewall", "delete", "rule", "name=LabScan-SMTP-Quarantine"),
        List.of(NETSH, "advfirewall", "firewall", "add", "rule", "name=LabScan-SMTP-Quarantine", "dir=out",
            "action=block", "protocol=TCP", "remoteport=25,465,587", "profile=any", "enable=yes",
            "description=LabScan SMTP quarantine: outbound mail blocked by order of the LabScan controller"));
  }

  @Test
  void allowedDestinationsAreCutOutOfTheBlockedAddressesBecauseABlockRuleWinsOverAllowRules() throws IOException {
    recording(0, "").install(QuarantineRules.of(Set.of(25), Set.of(), List.of("192.0.2.25", "10.0.0.0/8", "2001:db8::/32")));

    assertThat(ran.get(1)).contains("remoteip=0.0.0.0-9.255.255.255,11.0.0.0-192.0.2.24,192.0.2.26-255.255.255.255,"
        + "::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff,2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  }

  @Test
  void removingWhenNoRuleExistsSucceeds() throws IOException {
    recording(1, "No rules match the specified criteria.\r\n").remove();

    assertThat(ran).hasSize(1);
  }

  @Test
  void aFailedDeleteIsAnErrorNamingNetshsAnswer() {
    assertThatThrownBy(() -> recording(1, "The requested operation requires elevation (Run as administrator).").remove())
        .isInstanceOf(IOException.class).hasMessageContaining("requires elevation");
  }
}
