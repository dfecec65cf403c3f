package io.labscan.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The contract ({@code io.labscan.contract}, module {@code proto/}) is what both sides agree
 * on, like Trino's SPI: it depends on neither side, and on nothing beyond the JDK, protobuf and
 * gRPC, Jackson (the rule-set language is YAML) and picocli (the help-example convention).
 */
class ContractBoundaryTest {
  private static final JavaClasses CONTRACT = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      // In a full reactor build the contract's tests arrive packaged in proto's test-jar, which
      // the predefined option (folders only) does not recognise.
      .withImportOption(location -> !location.contains("-tests.jar"))
      .importPackages("io.labscan.contract");

  @Test
  void theContractDependsOnNeitherTheAgentNorTheController() {
    noClasses().that().resideInAPackage("io.labscan.contract..")
        .should().dependOnClassesThat().resideInAnyPackage("io.labscan.agent..", "io.labscan.controller..")
        .check(CONTRACT);
  }

  @Test
  void theContractUsesOnlyTheJdkProtobufJacksonAndPicocli() {
    classes().that().resideInAPackage("io.labscan.contract..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "io.labscan.contract..", "io.labscan.proto..", "java..", "javax..",
            "com.google.protobuf..", "com.fasterxml.jackson..", "picocli..")
        .check(CONTRACT);
  }
}
