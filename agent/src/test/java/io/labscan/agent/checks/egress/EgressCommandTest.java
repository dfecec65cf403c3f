package io.labscan.agent.checks.egress;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.cli.AgentMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import picocli.CommandLine;

/** {@code labscan-agent egress}: the diagnostic command end to end. */
class EgressCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = AgentMain.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void watchesForTheDurationAndPrintsTheProcessAsJson() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      int code = run("egress", "--duration", "300ms", "--period", "50ms", "--include-loopback",
          "--port", Integer.toString(server.getLocalPort()), "--format", "json");

      assertThat(code).isZero();
      assertThat(out.toString().lines().filter(l -> l.contains("\"pid\":"))).singleElement()
          .satisfies(line -> assertThat(line).contains("\"pid\":" + ProcessHandle.current().pid())
              .contains("\"processName\":\"java\"")
              .contains("\"port\":" + server.getLocalPort()));
    }
  }

  @Test
  void tableIsTheDefaultFormat() {
    int code = run("egress", "--duration", "100ms", "--port", "2");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("No SMTP connections seen.");
  }

  @Test
  void durationWithoutUnitIsRefusedWithTheAcceptedForms() {
    int code = run("egress", "--duration", "60");

    // AgentMain maps picocli's usage errors to its generic failure code (see its exception mapper)
    assertThat(code).isNotZero();
    assertThat(err.toString()).contains("500ms, 60s, 2m");
  }

  @Test
  void portOutOfRangeIsAUsageError() {
    assertThat(run("egress", "--duration", "1s", "--port", "70000")).isEqualTo(AgentMain.EXIT_BAD_INPUT);
  }
}
