package io.labscan.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's structure, as rules the build checks (issue 19): one platform seam, an egress core
 * that knows no platform, and a package graph without cycles. Production classes only: tests may
 * reach across (a fixture test of a Windows parser sits beside the Linux ones).
 */
class ArchitectureTest {
  private static final String AGENT = "io.labscan.agent";
  private static JavaClasses agent;

  @BeforeAll
  static void importAgent() {
    agent = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages(AGENT);
  }

  @Test
  void onlyThePlatformPackageAsksWhichOperatingSystemThisIs() {
    ArchRule rule = noClasses().that().resideOutsideOfPackage(AGENT + ".platform")
        .should(detectTheOperatingSystem())
        .because("the OS is detected once, in io.labscan.agent.platform.Platform; everything else is handed it");
    rule.check(agent);
  }

  @Test
  void theEgressCoreDependsOnNoPlatformPackage() {
    ArchRule rule = noClasses().that().resideInAPackage(AGENT + ".checks.egress")
        .should().dependOnClassesThat().resideInAnyPackage(
            AGENT + ".checks.egress.linux..", AGENT + ".checks.egress.windows..", AGENT + ".checks.egress.portable..")
        .because("the aggregator, events, policy and reports are platform-neutral; the platform seam picks the sources");
    rule.check(agent);
  }

  /**
   * No package cycle. The check SPI ({@code Check}, {@code ScanContext}, {@code EvidenceSink},
   * {@code ScanPlan}) stays in {@code checks}; the code that composes the checks and their
   * platform sources ({@code StandardChecks}, {@code PlatformSources}, {@code AvProviderFactory})
   * lives above them in {@code checks.standard}; the registry readers (live and offline hives)
   * are one package, {@code registry}; the scan mode is configuration, so the Windows service
   * body needs nothing from {@code worker}.
   */
  @Test
  void theAgentsPackagesFormNoCycles() {
    slices().matching(AGENT + ".(**)").should().beFreeOfCycles().check(agent);
  }

  /**
   * Reads {@code os.name} (System.getProperty with that key is found by the constant it loads:
   * any access to the property through System.getProperty/getProperties in a class that also
   * holds the "os.name" constant), or calls JNA's or commons-lang's OS predicates.
   */
  private static ArchCondition<JavaClass> detectTheOperatingSystem() {
    return new ArchCondition<>("detect the operating system") {
      @Override
      public void check(JavaClass item, ConditionEvents events) {
        for (JavaMethodCall call : item.getMethodCallsFromSelf()) {
          String owner = call.getTargetOwner().getName();
          String name = call.getName();
          boolean jnaPlatform = owner.equals("com.sun.jna.Platform") && name.startsWith("is");
          boolean commonsLang = owner.equals("org.apache.commons.lang3.SystemUtils");
          boolean oshiPlatform = owner.equals("oshi.SystemInfo") && name.equals("getCurrentPlatform");
          if (jnaPlatform || commonsLang || oshiPlatform) {
            events.add(SimpleConditionEvent.violated(item, call.getDescription()));
          }
        }
        item.getFieldAccessesFromSelf().stream()
            .filter(a -> a.getTargetOwner().getName().equals("org.apache.commons.lang3.SystemUtils")
                || (a.getTargetOwner().getName().equals("com.sun.jna.Platform") && a.getName().startsWith("IS_")))
            .forEach(a -> events.add(SimpleConditionEvent.violated(item, a.getDescription())));
        if (readsOsName(item)) {
          events.add(SimpleConditionEvent.violated(item, item.getName() + " reads the os.name system property"));
        }
      }
    };
  }

  /** Whether the class calls System.getProperty and holds the constant "os.name" in its constant pool. */
  private static boolean readsOsName(JavaClass item) {
    boolean getsProperty = item.getMethodCallsFromSelf().stream().anyMatch(c ->
        c.getTargetOwner().getName().equals("java.lang.System") && c.getName().equals("getProperty"));
    return getsProperty && item.getSource().flatMap(s -> {
      try (var in = s.getUri().toURL().openStream()) {
        return java.util.Optional.of(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)
            .contains("os.name"));
      } catch (java.io.IOException e) {
        return java.util.Optional.empty();
      }
    }).orElse(false);
  }
}
