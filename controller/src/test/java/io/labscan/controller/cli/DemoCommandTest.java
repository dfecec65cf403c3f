package io.labscan.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void demoScansThisMachineAndPrintsItsHostRow() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      Path root = dir.resolve("root");
      java.nio.file.Files.createDirectories(root);
      code = ControllerMain.commandLine().execute("demo", "--exit-after-scan", "--grpc-port", "0",
          "--http-port", "0", "--data-dir", dir.resolve("data").toString(), "--root", root.toString());
    } finally {
      System.setOut(old);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    assertThat(text).contains("HOSTNAME").contains("demo").contains("1 host");
    assertThat(dir.resolve("data").resolve("labscan.db")).exists();
  }
}
