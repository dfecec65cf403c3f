package io.labscan.controller.cli;

import static io.labscan.testsupport.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.testsupport.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code serve --db} and {@code --db-password-file} come from the {@link DatabaseOptions} mixin
 * every database command uses: one help text, one set of checks and messages. What is wrong with
 * them is refused (exit 2) before anything is created or connected to.
 */
class ServeDatabaseOptionsTest {
  @TempDir Path dir;

  private static OptionSpec option(String command, String name) {
    CommandLine.Model.CommandSpec spec = ControllerMain.commandLine().getSubcommands().get(command).getCommandSpec();
    return spec.findOption(name);
  }

  @Test
  void serveDescribesDbAndItsPasswordFileWithTheSameHelpAsTheOtherDatabaseCommands() {
    for (String name : Set.of("--db", "--db-password-file")) {
      assertThat(option("serve", name).description()).as(name)
          .containsExactly(option("hosts", name).description())
          .containsExactly(option("import", name).description());
    }
    assertThat(option("serve", "--db").required()).isTrue();
    assertThat(String.join(" ", option("serve", "--db").description()))
        .contains("serve, import and enroll-token create a missing one").contains("the other commands refuse it");
  }

  @Test
  void servesHelpSaysItCreatesAMissingDatabase() {
    String help = ControllerMain.commandLine().getSubcommands().get("serve").getUsageMessage(CommandLine.Help.Ansi.OFF);

    assertThat(help.replaceAll("\\s+", " ")).contains("A missing database is created (the SQLite file, or the "
        + "LabScan schema in an existing PostgreSQL database) and migrated as needed.");
  }

  @Test
  void serveRefusesAPasswordFileWithASqliteDatabaseAndCreatesNothing() throws Exception {
    Path db = dir.resolve("controller.db");
    Path passwordFile = Files.writeString(dir.resolve("db.pw"), "secret\n");

    CliRun r = run("serve", "--db", db.toString(), "--db-password-file", passwordFile.toString());

    assertThat(r.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("labscan-controller serve: --db-password-file is for a postgresql:// --db, "
        + "not a SQLite file");
    assertThat(db).doesNotExist();
  }

  @Test
  void serveOnPostgresqlWithoutPkiDirIsRefusedNamingTheFlag() {
    CliRun r = run("serve", "--db", "postgresql://labscan@127.0.0.1:1/labscan");

    assertThat(r.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("labscan-controller serve: --pki-dir DIR is required with a postgresql:// --db");
  }

  @Test
  void serveRefusesAPasswordInThePostgresqlUrlWithoutRepeatingIt() {
    CliRun r = run("serve", "--db", "postgresql://labscan:hunter2@127.0.0.1:1/labscan", "--pki-dir",
        dir.resolve("pki").toString());

    assertThat(r.code()).isEqualTo(ControllerMain.EXIT_BAD_INPUT);
    assertThat(r.err()).contains("labscan-controller serve: --db: the PostgreSQL URL contains a password")
        .doesNotContain("hunter2");
    assertThat(dir.resolve("pki")).doesNotExist();
  }
}
