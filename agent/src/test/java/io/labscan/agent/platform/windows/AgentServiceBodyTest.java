package io.labscan.agent.platform.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.labscan.agent.config.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service body reads agent.yaml and turns configuration problems into exit code 2. */
class AgentServiceBodyTest {
  @TempDir Path dir;
  private final AtomicReference<AgentConfig> started = new AtomicReference<>();
  private static final ServiceExit NO_EXIT = code -> {
    throw new AssertionError("the service stopped itself with " + code);
  };

  private AgentServiceBody body(String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve("agent.yaml"), yaml);
    return new AgentServiceBody(file, (config, exit) -> {
      started.set(config);
      return () -> { };
    });
  }

  @Test
  void startsTheAgentWithTheConfiguredController() throws Exception {
    body("controller: labscan.example.edu:7443\nlab: physics\n").start(NO_EXIT);

    assertThat(started.get().controller()).contains("labscan.example.edu:7443");
    assertThat(started.get().lab()).isEqualTo("physics");
  }

  @Test
  void aConfigWithoutControllerIsABadInputExitCode() throws Exception {
    AgentServiceBody body = body("lab: physics\n");

    assertThatThrownBy(() -> body.start(NO_EXIT)).isInstanceOfSatisfying(ServiceBody.ServiceStartException.class,
        e -> assertThat(e.exitCode()).isEqualTo(2));
    assertThat(started.get()).isNull();
  }

  @Test
  void anUnreadableConfigIsABadInputExitCodeNamingTheProblem() throws Exception {
    AgentServiceBody body = body("controler: labscan.example.edu:7443\n");

    assertThatThrownBy(() -> body.start(NO_EXIT)).isInstanceOfSatisfying(ServiceBody.ServiceStartException.class, e -> {
      assertThat(e.exitCode()).isEqualTo(2);
      assertThat(e.getMessage()).contains("controler");
    });
  }

  @Test
  void theServiceCommandRefusesToRunOutsideWindows() {
    int exit = new picocli.CommandLine(new ServiceCommand(java.util.Optional.empty()))
        .execute("--config", dir.resolve("agent.yaml").toString());

    assertThat(exit).isEqualTo(2);
  }

  @Test
  void theRuntimesRestartForMemoryStopsTheServiceWithExitCode75() {
    java.util.List<Integer> asked = new java.util.ArrayList<>();

    AgentServiceBody.EnrollingStart.restartForMemory(asked::add).run();

    assertThat(asked).containsExactly(io.labscan.agent.selfwatch.SelfWatch.EXIT_RESTART_FOR_MEMORY);
  }
}
