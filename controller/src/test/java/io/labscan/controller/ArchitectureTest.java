package io.labscan.controller;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import io.labscan.controller.fleet.Fleet;
import io.labscan.controller.policy.PolicyProvider;
import io.labscan.controller.quarantine.Quarantines;
import io.labscan.controller.store.Storage;
import java.time.Clock;

/**
 * The controller's structure, enforced: packages by feature with {@code grpc}, {@code web} and
 * {@code cli} as adapters that depend inward, the composition root ({@link Controller}, in the
 * top package) above the features, and no package cycles anywhere (the top package counts as a
 * package of its own, so a feature that reached back into the composition root would be a cycle).
 */
@AnalyzeClasses(packages = "io.labscan.controller", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String ROOT = "io.labscan.controller";
  private static final String[] ADAPTERS = {ROOT + ".grpc..", ROOT + ".web..", ROOT + ".cli.."};
  private static final String[] FEATURES = {ROOT + ".account..", ROOT + ".alert..", ROOT + ".audit..",
      ROOT + ".campaign..", ROOT + ".complaint..", ROOT + ".doctor..", ROOT + ".fleet..", ROOT + ".ingest..",
      ROOT + ".jobs..", ROOT + ".metrics..", ROOT + ".oidc..", ROOT + ".policy..", ROOT + ".quarantine..",
      ROOT + ".report..", ROOT + ".selfwatch..", ROOT + ".store..", ROOT + ".text..", ROOT + ".triage..",
      ROOT + ".trust..", ROOT + ".verdict.."};

  /** Each first-level package is a slice; the top package (the composition root) is one too. */
  private static final SliceAssignment FIRST_LEVEL_PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String pkg = javaClass.getPackageName();
      if (pkg.equals(ROOT)) {
        return SliceIdentifier.of("(composition root)");
      }
      if (!pkg.startsWith(ROOT + ".")) {
        return SliceIdentifier.ignore();
      }
      String rest = pkg.substring(ROOT.length() + 1);
      int dot = rest.indexOf('.');
      return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    @Override
    public String getDescription() {
      return "first-level packages of " + ROOT;
    }
  };

  @ArchTest
  static final ArchRule controller_packages_form_no_cycles =
      slices().assignedFrom(FIRST_LEVEL_PACKAGES).should().beFreeOfCycles();

  @ArchTest
  static final ArchRule feature_packages_never_depend_on_an_adapter =
      noClasses().that().resideInAnyPackage(FEATURES)
          .should().dependOnClassesThat().resideInAnyPackage(ADAPTERS);

  @ArchTest
  static final ArchRule feature_packages_never_depend_on_the_composition_root =
      noClasses().that().resideInAnyPackage(FEATURES)
          .should().dependOnClassesThat().resideInAPackage(ROOT);

  @ArchTest
  static final ArchRule the_grpc_adapter_never_depends_on_the_web_or_cli_adapters =
      noClasses().that().resideInAPackage(ROOT + ".grpc..")
          .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".web..", ROOT + ".cli..");

  @ArchTest
  static final ArchRule the_web_adapter_never_depends_on_the_cli =
      noClasses().that().resideInAPackage(ROOT + ".web..")
          .should().dependOnClassesThat().resideInAPackage(ROOT + ".cli..");

  /**
   * Quarantine orders are read and written through the one {@code Quarantines} the composition
   * root builds ({@code Controller.quarantines()}; issue 19: six classes used to build their own).
   */
  @ArchTest
  static final ArchRule only_the_composition_root_builds_quarantines =
      noClasses().that().resideOutsideOfPackages(ROOT, ROOT + ".quarantine..")
          .should().callConstructor(Quarantines.class, Storage.class, Clock.class);

  /**
   * The fleet and the policies are wired in one place, the composition root (issue 19: both had a
   * store-only constructor that built their own {@code Quarantines}, a second composition root
   * that a tool could reach for and then see other quarantine orders than the controller). Tests
   * wire them with {@code io.labscan.testsupport.TestWiring}.
   */
  @ArchTest
  static final ArchRule only_the_composition_root_builds_the_fleet_and_the_policies =
      noClasses().that().doNotBelongToAnyOf(Controller.class)
          .should().callConstructorWhere(DescribedPredicate.describe("a constructor of Fleet or PolicyProvider",
              (JavaConstructorCall call) -> call.getTargetOwner().isEquivalentTo(Fleet.class)
                  || call.getTargetOwner().isEquivalentTo(PolicyProvider.class)));

  /**
   * Nothing outside the storage package names a SQLite class or the SQLite driver (issue 20):
   * features, adapters and the composition root take the repository interfaces, the
   * {@code Storage} over a {@code Database}, or the Database itself, so the PostgreSQL
   * implementation is a second {@code Database}, not an edit of every feature.
   */
  @ArchTest
  static final ArchRule only_the_storage_package_knows_sqlite =
      noClasses().that().resideOutsideOfPackage(ROOT + ".store..")
          // The one known exception, to remove: migrate-to (cli, merged from feat/pg) opens its
          // SQLite source with the driver's SQLiteConfig; that belongs in store.postgres.SqliteToPostgres.
          .and().doNotHaveFullyQualifiedName(ROOT + ".cli.MigrateToCommand")
          .should().dependOnClassesThat(JavaClass.Predicates.simpleNameStartingWith("Sqlite")
              // migrate-to copies a SQLite database into PostgreSQL: naming its source is its job.
              .and(DescribedPredicate.not(JavaClass.Predicates.simpleName("SqliteToPostgres"))))
          .orShould().dependOnClassesThat().resideInAPackage("org.sqlite..");
}
