package io.labscan.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String yaml) throws Exception {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void aCompleteConfigIsRead() throws Exception {
    AgentConfig c = ConfigLoader.load(write("""
        controller: labscan.example.edu:7443
        insecure: true
        stateDir: /var/lib/labscan-agent
        lab: physics-lab
        scanRoot: /mnt/c
        """));
    assertThat(c.controller()).contains("labscan.example.edu:7443");
    assertThat(c.insecure()).isTrue();
    assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/labscan-agent"));
    assertThat(c.lab()).isEqualTo("physics-lab");
    assertThat(c.scanRoot()).isEqualTo(Path.of("/mnt/c"));
  }

  @Test
  void anUnknownKeyIsAnErrorNamingTheKeyAndLine() throws Exception {
    Path f = write("controller: a:1\nlabb: physics\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("'labb'")
        .hasMessageContaining("line 2");
  }

  @Test
  void aControllerWithoutPortIsAnError() throws Exception {
    Path f = write("controller: labscan.example.edu\n");
    assertThatThrownBy(() -> ConfigLoader.load(f)).hasMessageContaining("HOST:PORT");
  }

  @Test
  void aMissingFileIsAnErrorNamingIt() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"))).hasMessageContaining("nope.yaml");
  }

  @Test
  void anEmptyFileMeansDefaults() throws Exception {
    assertThat(ConfigLoader.load(write("")).controller()).isEmpty();
  }

  @Test
  void enrolmentDefaultsToTheControllersNextPort() throws Exception {
    AgentConfig c = ConfigLoader.load(write("controller: labscan.example.edu:7443\n"));
    assertThat(c.enrolmentTarget()).contains("labscan.example.edu:7444");
  }

  @Test
  void anExplicitEnrolAddressWins() throws Exception {
    AgentConfig c = ConfigLoader.load(write("controller: labscan.example.edu:7443\nenroll: enrol.example.edu:9000\n"));
    assertThat(c.enrolmentTarget()).contains("enrol.example.edu:9000");
  }

  @Test
  void aTokenIsReadFromTheConfig() throws Exception {
    String fingerprint = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    String token = io.labscan.contract.enrolment.EnrolmentToken.generate(fingerprint).text();
    AgentConfig c = ConfigLoader.load(write("controller: a:1\ntoken: " + token + "\n"));
    assertThat(c.token()).hasValueSatisfying(t -> assertThat(t.text()).isEqualTo(token));
  }

  @Test
  void aMalformedTokenIsAnErrorNamingItsLine() throws Exception {
    Path f = write("controller: a:1\ntoken: LS1.nope\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("token at line 2");
  }

  @Test
  void aKeyWrittenTwiceIsAnError() throws Exception {
    Path f = write("controller: a:1\nlab: physics\nlab: chemistry\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("lab")
        .hasMessageContaining("line 3");
  }

  @Test
  void insecureMustBeTrueOrFalse() throws Exception {
    Path f = write("controller: a:1\ninsecure: maybe\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("insecure (line 2) must be true or false");
  }

  @Test
  void aListWhereAValueBelongsIsAnErrorNamingTheKey() throws Exception {
    // (controller: is the one key that takes a list: several controllers, ControllerListConfigTest)
    Path f = write("controller: a:1\nlab:\n  - physics-lab\n  - chemistry-lab\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("'lab' at line 2 must be a single value");
  }

  @Test
  void aFileOfCommentsMeansDefaults() throws Exception {
    AgentConfig c = ConfigLoader.load(write("# nothing configured yet\n"));
    assertThat(c.controller()).isEmpty();
    assertThat(c.stateDir()).isEqualTo(AgentConfig.defaults().stateDir());
  }

  @Test
  void brokenYamlIsAnErrorNamingItsLine() throws Exception {
    Path f = write("controller: a:1\nlab: [physics\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("is not valid")
        .hasMessageContaining("line ");
  }

  @Test
  void aDocumentThatIsNotKeysAndValuesIsAnError() throws Exception {
    Path f = write("- controller\n- lab\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("expected 'key: value' lines");
  }

  @Test
  void anAbsurdlyLargeFileIsRefusedUnread() throws Exception {
    Path f = write("lab: " + "x".repeat(100_000) + "\n");
    assertThatThrownBy(() -> ConfigLoader.load(f))
        .isInstanceOf(ConfigLoader.ConfigException.class)
        .hasMessageContaining("larger than");
  }
}
