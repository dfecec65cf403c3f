package io.labscan.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The agent's logging set up in code, found by Logback through {@link java.util.ServiceLoader}.
 * It replaces a {@code logback.xml}: reading XML made the resident daemon load Joran and the
 * JDK's XML parser (~600 classes, a few MiB of metaspace it never used again). Same result as
 * that file: everything to stderr (stdout carries command output such as {@code scan --out -}),
 * gRPC, Netty and Quartz at WARN, the root at {@code LABSCAN_LOG_LEVEL} (default INFO).
 *
 * <p>An operator's own file still wins: with {@code -Dlogback.configurationFile=…}, or a
 * {@code logback.xml} / {@code logback-test.xml} on the class path, this configurator steps
 * aside and Logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class AgentLogConfigurator extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{24} - %msg%n";
  static final String LEVEL_VARIABLE = "LABSCAN_LOG_LEVEL";
  static final Map<String, Level> QUIET_LOGGERS = Map.of(
      "org.quartz", Level.WARN,
      // Also gRPC's shaded Netty (io.grpc.netty.shaded.io.netty...).
      "io.grpc", Level.WARN);

  private final Function<String, Optional<String>> environment;
  private final UnaryOperator<String> systemProperty;
  private final Function<String, Boolean> onClassPath;

  /** For Logback's ServiceLoader. */
  public AgentLogConfigurator() {
    this(name -> Optional.ofNullable(System.getenv(name)), System::getProperty,
        name -> AgentLogConfigurator.class.getClassLoader().getResource(name) != null);
  }

  AgentLogConfigurator(Function<String, Optional<String>> environment, UnaryOperator<String> systemProperty,
      Function<String, Boolean> onClassPath) {
    this.environment = environment;
    this.systemProperty = systemProperty;
    this.onClassPath = onClassPath;
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (systemProperty.apply("logback.configurationFile") != null
        || onClassPath.apply("logback-test.xml") || onClassPath.apply("logback.xml")) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    QUIET_LOGGERS.forEach((name, level) -> context.getLogger(name).setLevel(level));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(rootLevel());
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** {@code LABSCAN_LOG_LEVEL} when it names a level; INFO otherwise (as the XML's default did). */
  Level rootLevel() {
    return environment.apply(LEVEL_VARIABLE).map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> Level.toLevel(s, Level.INFO)).orElse(Level.INFO);
  }
}
