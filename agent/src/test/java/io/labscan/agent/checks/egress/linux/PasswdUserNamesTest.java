package io.labscan.agent.checks.egress.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PasswdUserNamesTest {

  @Test
  void passwdNamesUidsAndFallsBackToTheNumber() throws Exception {
    Path file = java.nio.file.Files.createTempFile("passwd", "");
    java.nio.file.Files.writeString(file, "root:x:0:0::/root:/bin/sh\n# comment\nbroken line\npostfix:x:107:113::/:/bin/false\n");
    PasswdUserNames names = new PasswdUserNames(file);

    assertThat(names.nameOf(107)).isEqualTo("postfix");
    assertThat(names.nameOf(4000)).isEqualTo("4000");
    assertThat(PasswdUserNames.parse("a:x:notanumber:1::/:/x\n::1:1::/:/x")).isEqualTo(Map.of());
    java.nio.file.Files.delete(file);
  }
}
