package io.labscan.controller.arch;

import io.labscan.testsupport.ClockInjectionRule;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Time comes from an injected {@link java.time.Clock}: the controller's main code never reads the
 * wall clock itself ({@code Instant.now()}, {@code System.currentTimeMillis()},
 * {@code LocalDateTime.now()}, {@code new Date()} and the other argument-less {@code now()}s),
 * so verdicts, windows and retention can be tested on a clock the test moves. The classes below
 * may, each for the reason given; everything else takes a {@code Clock}. A command-line command
 * is where the system clock is chosen: it holds {@code Clock clock = Clock.systemUTC()} and
 * passes it on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClockInjectionArchTest {
  /** Classes allowed to read the wall clock directly, with why. */
  static final Map<String, String> ALLOWED = Map.of(
      "io.labscan.controller.store.Migrations",
      "stamps when a schema migration was applied; it runs inside Storage.open, before any service or clock exists",
      "io.labscan.controller.ControllerRuntime",
      "stamps the issue time of a pushed policy command; the composition root that replaces it (issue 19) holds the clock");

  ClockInjectionRule rule;

  @BeforeAll
  void importMainClasses() {
    rule = ClockInjectionRule.forMainCodeOf("io.labscan.controller", ALLOWED);
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
