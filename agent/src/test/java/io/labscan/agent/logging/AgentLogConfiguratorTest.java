package io.labscan.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentLogConfiguratorTest {
  private static AgentLogConfigurator configurator(Map<String, String> env, Map<String, String> properties,
      String... resources) {
    return new AgentLogConfigurator(name -> Optional.ofNullable(env.get(name)), properties::get,
        name -> java.util.List.of(resources).contains(name));
  }

  @Test
  void everythingGoesToStderrAtInfoByDefault() {
    LoggerContext context = new LoggerContext();

    ExecutionStatus status = configurator(Map.of(), Map.of()).configure(context);

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(status).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    ConsoleAppender<?> appender = (ConsoleAppender<?>) root.getAppender("STDERR");
    assertThat(appender.getTarget()).isEqualTo("System.err");
    assertThat(appender.isStarted()).isTrue();
  }

  @Test
  void theRootLevelComesFromLabscanLogLevel() {
    LoggerContext context = new LoggerContext();

    configurator(Map.of("LABSCAN_LOG_LEVEL", "debug"), Map.of()).configure(context);

    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
  }

  @Test
  void aLevelThatIsNoLevelMeansInfo() {
    LoggerContext context = new LoggerContext();

    configurator(Map.of("LABSCAN_LOG_LEVEL", "loud"), Map.of()).configure(context);

    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
  }

  @Test
  void grpcNettyAndQuartzLogWarningsOnly() {
    LoggerContext context = new LoggerContext();

    configurator(Map.of("LABSCAN_LOG_LEVEL", "DEBUG"), Map.of()).configure(context);

    assertThat(context.getLogger("io.grpc.netty").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("org.quartz.core.QuartzScheduler").getEffectiveLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void anOperatorsConfigurationFileWins() {
    LoggerContext context = new LoggerContext();

    ExecutionStatus status = configurator(Map.of(), Map.of("logback.configurationFile", "/etc/labscan/logback.xml"))
        .configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
  }

  @Test
  void aLogbackXmlOnTheClassPathWins() {
    LoggerContext context = new LoggerContext();

    ExecutionStatus status = configurator(Map.of(), Map.of(), "logback.xml").configure(context);

    assertThat(status).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
  }

  @Test
  void logbackFindsThisConfiguratorThroughTheServiceLoader() {
    assertThat(java.util.ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream()
        .map(p -> p.type().getName())).contains(AgentLogConfigurator.class.getName());
  }
}
