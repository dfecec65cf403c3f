package io.labscan.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.transport.ControllerTargets;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code controller:} with several addresses (issue 20, agents fail over). */
class ControllerListConfigTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void aSingleAddressIsReadExactlyAsBefore() throws Exception {
    AgentConfig c = ConfigLoader.load(write("controller: labscan.example.edu:7443\n"));

    assertThat(c.controller()).contains("labscan.example.edu:7443");
    assertThat(c.controllers()).containsExactly("labscan.example.edu:7443");
    assertThat(c.enrolmentTarget()).contains("labscan.example.edu:7444");
  }

  @Test
  void aYamlListGivesTheControllersInOrder() throws Exception {
    AgentConfig c = ConfigLoader.load(write("""
        controller:
          - labscan-1.example.edu:7443
          - labscan-2.example.edu:7443
          - "[2001:db8::7]:7443"
        """));

    assertThat(c.controllers()).containsExactly("labscan-1.example.edu:7443", "labscan-2.example.edu:7443",
        "[2001:db8::7]:7443");
  }

  @Test
  void aCommaSeparatedStringGivesTheControllersInOrder() throws Exception {
    AgentConfig c = ConfigLoader.load(write("controller: labscan-1.example.edu:7443, 10.20.0.5:7443\n"));

    assertThat(c.controllers()).containsExactly("labscan-1.example.edu:7443", "10.20.0.5:7443");
  }

  @Test
  void withSeveralControllersEnrolmentDefaultsToTheFirstOnesNextPort() throws Exception {
    AgentConfig c = ConfigLoader.load(write("controller: [labscan-1.example.edu:7443, labscan-2.example.edu:9443]\n"));

    assertThat(c.enrolmentTarget()).contains("labscan-1.example.edu:7444");
  }

  @Test
  void aBadEntryIsAnErrorNamingTheEntryItsPositionAndTheLine() throws Exception {
    Path f = write("lab: physics-lab\ncontroller:\n  - labscan-1.example.edu:7443\n  - labscan-2.example.edu\n");

    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("'labscan-2.example.edu'")
        .hasMessageContaining("entry 2 of 2")
        .hasMessageContaining("line 2")
        .hasMessageContaining("HOST:PORT");
  }

  @Test
  void aPortOutOfRangeIsAnErrorSayingSo() throws Exception {
    Path f = write("controller: labscan-1.example.edu:7443,labscan-2.example.edu:74430\n");

    assertThatThrownBy(() -> ConfigLoader.load(f))
        .hasMessageContaining("'labscan-2.example.edu:74430'")
        .hasMessageContaining("not between 1 and 65535");
  }

  @Test
  void aStrayCommaIsAnError() throws Exception {
    Path f = write("controller: labscan-1.example.edu:7443,,labscan-2.example.edu:7443\n");

    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("empty controller address (entry 2 of 3)");
  }

  @Test
  void anAddressListedTwiceIsAnError() throws Exception {
    Path f = write("controller: [labscan-1.example.edu:7443, LABSCAN-1.example.edu:7443]\n");

    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("listed twice");
  }

  @Test
  void anEmptyListIsAnError() throws Exception {
    Path f = write("controller: []\n");

    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("empty list");
  }

  @Test
  void aListItemThatIsNotOneAddressIsAnError() throws Exception {
    Path f = write("controller:\n  - labscan-1.example.edu:7443\n  - {host: labscan-2}\n");

    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("item at line 3 must be one HOST:PORT");
  }

  @Test
  void theCommandLineFormIsCheckedWithTheSameRules() {
    assertThat(ControllerAddresses.parse("a.example.edu:7443,b.example.edu:7443"))
        .containsExactly("a.example.edu:7443", "b.example.edu:7443");
    assertThatThrownBy(() -> ControllerAddresses.parse("a.example.edu:7443,b.example.edu:x"))
        .hasMessageContaining("'b.example.edu:x' (entry 2 of 2)")
        .hasMessageContaining("not a number");
  }

  @Test
  void aNameWithSeveralAddressesIsOneTargetPerAddressVerifiedForTheName() throws Exception {
    ControllerTargets targets = new ControllerTargets(
        ControllerAddresses.parse("labscan.example.edu:7443,10.20.0.9:7443"),
        table("labscan.example.edu", "10.20.0.5", "2001:db8::5"));

    var expanded = targets.expand();

    assertThat(expanded).extracting(ControllerTargets.Target::authority)
        .containsExactly("labscan.example.edu:7443", "labscan.example.edu:7443", "10.20.0.9:7443");
    assertThat(expanded.get(0).address()).hasValueSatisfying(a -> {
      assertThat(a.getAddress().getHostAddress()).isEqualTo("10.20.0.5");
      assertThat(a.getPort()).isEqualTo(7443);
    });
    assertThat(expanded.get(1).address()).hasValueSatisfying(a ->
        assertThat(a.getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:5"));
  }

  @Test
  void aNameWithOneAddressOrNoneIsDialledByNameAsBefore() {
    ControllerTargets targets = new ControllerTargets(
        ControllerAddresses.parse("labscan.example.edu:7443,gone.example.edu:7443"),
        table("labscan.example.edu", "10.20.0.5"));

    assertThat(targets.expand()).containsExactly(
        new ControllerTargets.Target("labscan.example.edu:7443", Optional.empty()),
        new ControllerTargets.Target("gone.example.edu:7443", Optional.empty()));
  }

  /** A resolver that knows one name (IP literals resolve to themselves, as the system's do). */
  private static ControllerTargets.Resolver table(String name, String... addresses) {
    return host -> {
      if (host.equals(name)) {
        InetAddress[] out = new InetAddress[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
          out[i] = InetAddress.getByName(addresses[i]);
        }
        return out;
      }
      if (Character.isDigit(host.charAt(0)) || host.contains(":")) {
        return new InetAddress[] {InetAddress.getByName(host)};
      }
      throw new UnknownHostException(host);
    };
  }
}
