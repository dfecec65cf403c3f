package io.labscan.agent.checks.av.windows;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.registry.RegistryValue;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryKeyTest {

  @Test
  void valueNamesAreCaseInsensitiveAsInTheRegistry() {
    RegistryKey key = new RegistryKey("SOFTWARE\\Vendor",
        Map.of("EngineVersion", new RegistryValue.Text("1.1.24090.11")));

    assertThat(key.value("engineversion")).contains(new RegistryValue.Text("1.1.24090.11"));
    assertThat(key.displayName()).isEqualTo("HKLM\\SOFTWARE\\Vendor");
  }

  @Test
  void dwordKeepsTheUnsignedValue() {
    assertThat(RegistryValue.DWord.of(-1).value()).isEqualTo(0xFFFF_FFFFL);
  }
}
