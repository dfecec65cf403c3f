package io.labscan.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Objects;

/**
 * The rule that time comes from an injected {@link java.time.Clock}, one rule for the agent's and
 * the controller's main code: no class reads the wall clock itself ({@code Instant.now()},
 * {@code System.currentTimeMillis()}, {@code LocalDateTime.now()}, {@code new Date()} and the
 * other argument-less {@code now()}s) except those a module allows, each with its reason. Each
 * module's {@code ClockInjectionArchTest} names its package and its allowed classes (and why).
 */
public final class ClockInjectionRule {
  private final JavaClasses main;
  private final Map<String, String> allowed;

  private ClockInjectionRule(JavaClasses main, Map<String, String> allowed) {
    this.main = main;
    this.allowed = Map.copyOf(allowed);
  }

  /** The main (non-test) classes under {@code rootPackage}; {@code allowed}: class name → why it may. */
  public static ClockInjectionRule forMainCodeOf(String rootPackage, Map<String, String> allowed) {
    Objects.requireNonNull(rootPackage, "rootPackage");
    Objects.requireNonNull(allowed, "allowed");
    return new ClockInjectionRule(new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(rootPackage), allowed);
  }

  /** Fails naming every call to the wall clock outside the allowed classes (and their nested classes). */
  public void checkMainCodeReadsTimeOnlyFromAnInjectedClock() {
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

  /** Fails when the allow list names a class that does not exist (renamed or removed). */
  public void checkTheAllowListNamesOnlyClassesThatExist() {
    for (String name : allowed.keySet()) {
      assertThat(main.contain(name)).as(name).isTrue();
    }
  }

  private DescribedPredicate<JavaClass> notAllowed() {
    return DescribedPredicate.describe("are not allowed to read the wall clock",
        c -> !allowed.containsKey(c.getName()) && !allowed.containsKey(topLevel(c.getName())));
  }

  private static String topLevel(String name) {
    int dollar = name.indexOf('$');
    return dollar < 0 ? name : name.substring(0, dollar);
  }
}
