package io.labscan.agent.arch;

import io.labscan.testsupport.ClockInjectionRule;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Time comes from an injected {@link java.time.Clock}: the agent's main code never reads the
 * wall clock itself ({@code Instant.now()}, {@code System.currentTimeMillis()},
 * {@code LocalDateTime.now()}, {@code new Date()} and the other argument-less {@code now()}s),
 * so schedules, spools and reports can be tested on a clock the test moves. The classes below
 * may, each for the reason given; everything else takes a {@code Clock}. A command-line command
 * is where the system clock is chosen: it holds {@code Clock clock = Clock.systemUTC()} and
 * passes it on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClockInjectionArchTest {
  /** Classes allowed to read the wall clock directly, with why. */
  static final Map<String, String> ALLOWED = Map.of(
      "io.labscan.agent.schedule.AgentScheduler",
      "Quartz fires triggers on the system clock, so a trigger's start time must be on that clock too");

  ClockInjectionRule rule;

  @BeforeAll
  void importMainClasses() {
    rule = ClockInjectionRule.forMainCodeOf("io.labscan.agent", ALLOWED);
  }

  @Test
  void mainCodeReadsTimeOnlyFromAnInjectedClock() {
    rule.checkMainCodeReadsTimeOnlyFromAnInjectedClock();
  }

  @Test
  void theAllowListNamesOnlyClassesThatExist() {
    rule.checkTheAllowListNamesOnlyClassesThatExist();
  }
}
