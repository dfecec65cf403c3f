package io.labscan.controller;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The controller compiles against the contract ({@code io.labscan.contract}, module
 * {@code proto/}) and never against agent internals: the agent is a run-time dependency only,
 * found by {@code demo} through {@code EmbeddedAgentLauncher}. Tests may drive a real agent.
 */
class ContractBoundaryTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
      .importPackages("io.labscan.controller");

  @Test
  void noControllerMainClassDependsOnAnAgentClass() {
    noClasses().that().resideInAPackage("io.labscan.controller..")
        .should().dependOnClassesThat().resideInAPackage("io.labscan.agent..")
        .because("shared code lives in the contract (io.labscan.contract); the agent is a run-time dependency only")
        .check(MAIN);
  }
}
