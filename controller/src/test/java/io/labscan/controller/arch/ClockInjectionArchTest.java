package io.labscan.controller.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.Date;
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

  JavaClasses main;

  @BeforeAll
  void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.labscan.controller");
  }

  @Test
  void mainCodeReadsTimeOnlyFromAnInjectedClock() {
    ArchRule rule = noClasses().that(notAllowed())
        .should().callMethod(Instant.class, "now")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(LocalDateTime.class, "now")
        .orShould().callMethod(LocalDate.class, "now")
        .orShould().callMethod(ZonedDateTime.class, "now")
        .orShould().callMethod(OffsetDateTime.class, "now")
        .orShould().callConstructor(Date.class)
        .because("time must come from an injected java.time.Clock (see ALLOWED for the exceptions and why)");
    rule.check(main);
  }

  @Test
  void theAllowListNamesOnlyClassesThatExist() {
    for (String name : ALLOWED.keySet()) {
      org.assertj.core.api.Assertions.assertThat(main.contain(name)).as(name).isTrue();
    }
  }

  private static DescribedPredicate<JavaClass> notAllowed() {
    return DescribedPredicate.describe("are not allowed to read the wall clock",
        c -> !ALLOWED.containsKey(c.getName()) && !ALLOWED.containsKey(topLevel(c.getName())));
  }

  private static String topLevel(String name) {
    int dollar = name.indexOf('$');
    return dollar < 0 ? name : name.substring(0, dollar);
  }
}
