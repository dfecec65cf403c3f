package io.labscan.controller.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --db} values: SQLite files as always, PostgreSQL URLs without secrets, and where credentials come from. */
class DatabaseUrlTest {
  private static final String SECRET = "Kl3z-must-die";

  @Test
  void aPlainPathIsASqliteFileAsBefore() {
    assertThat(DatabaseUrl.parse("/var/lib/labscan-controller/labscan.db"))
        .isEqualTo(new DatabaseUrl.EmbeddedFile(Path.of("/var/lib/labscan-controller/labscan.db")));
    assertThat(DatabaseUrl.parse("labscan.db")).isEqualTo(new DatabaseUrl.EmbeddedFile(Path.of("labscan.db")));
  }

  @Test
  void aPostgresqlUrlGivesHostPortDatabaseAndTlsParametersForTheDriver() {
    DatabaseUrl.Postgres url = (DatabaseUrl.Postgres) DatabaseUrl.parse(
        "postgresql://db.example.edu:6432/labscan?sslmode=verify-full&sslrootcert=/etc/labscan-controller/db-ca.pem");
    assertThat(url.hosts()).containsExactly(new DatabaseUrl.HostPort("db.example.edu", 6432));
    assertThat(url.database()).isEqualTo("labscan");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.edu:6432/labscan");
    Properties p = url.driverProperties(new DatabaseCredentials("labscan", Optional.of(SECRET)));
    assertThat(p).containsEntry("user", "labscan").containsEntry("password", SECRET)
        .containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", "/etc/labscan-controller/db-ca.pem")
        .containsEntry("ApplicationName", "labscan-controller");
  }

  @Test
  void withoutSslmodeARemoteDatabaseIsReachedWithVerifiedTlsAndALoopbackOneWithPrefer() {
    assertThat(((DatabaseUrl.Postgres) DatabaseUrl.parse("postgresql://db.example.edu/labscan")).sslMode())
        .isEqualTo("verify-full");
    assertThat(((DatabaseUrl.Postgres) DatabaseUrl.parse("postgres://127.0.0.1/labscan")).sslMode()).isEqualTo("prefer");
    assertThat(((DatabaseUrl.Postgres) DatabaseUrl.parse("postgresql://localhost:5433/labscan")).hosts())
        .containsExactly(new DatabaseUrl.HostPort("localhost", 5433));
  }

  @Test
  void severalHostsAndAnIpv6HostAreKeptInOrderForTheDriver() {
    DatabaseUrl.Postgres url = (DatabaseUrl.Postgres) DatabaseUrl.parse(
        "postgresql://pg1.example.edu,[2001:db8::7]:5433/labscan?target_session_attrs=read-write");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://pg1.example.edu:5432,[2001:db8::7]:5433/labscan");
    assertThat(url.driverProperties(new DatabaseCredentials("labscan", Optional.empty())))
        .containsEntry("targetServerType", "primary").doesNotContainKey("password");
  }

  @Test
  void aPasswordInTheUrlIsRefusedWithoutRepeatingIt() {
    for (String value : List.of("postgresql://labscan:" + SECRET + "@db.example.edu/labscan",
        "postgresql://db.example.edu/labscan?password=" + SECRET,
        "postgresql://db.example.edu/labscan?sslmode=verify-full&sslpassword=" + SECRET)) {
      assertThatThrownBy(() -> DatabaseUrl.parse(value)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("contains a password").hasMessageContaining("--db-password-file")
          .hasMessageNotContaining(SECRET);
    }
  }

  @Test
  void anUnknownParameterOrSslmodeIsRefusedNamingIt() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db.example.edu/labscan?sslmode=verify_full"))
        .hasMessageContaining("sslmode 'verify_full' is not one of");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db.example.edu/labscan?ssl_mode=require"))
        .hasMessageContaining("unknown PostgreSQL URL parameter 'ssl_mode'");
  }

  @Test
  void aUrlWithoutDatabaseOrHostOrWithABadPortIsRefused() {
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db.example.edu")).hasMessageContaining("names no database");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:///labscan")).hasMessageContaining("names no host");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://db.example.edu:99999/labscan"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://db.example.edu/labscan")).hasMessageContaining("unknown database URL scheme 'mysql'");
    assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:postgresql://db.example.edu/labscan")).hasMessageContaining("not a jdbc: URL");
  }

  @Test
  void theUserComesFromTheUrlThenLabscanDbUserThenPguser() {
    var inUrl = (DatabaseUrl.Postgres) DatabaseUrl.parse("postgresql://labscan@db.example.edu/labscan");
    var without = (DatabaseUrl.Postgres) DatabaseUrl.parse("postgresql://db.example.edu/labscan");
    Map<String, String> env = Map.of("LABSCAN_DB_USER", "ctl", "PGUSER", "pg");
    assertThat(DatabaseCredentials.resolve(inUrl, Optional.empty(), env).user()).isEqualTo("labscan");
    assertThat(DatabaseCredentials.resolve(without, Optional.empty(), env).user()).isEqualTo("ctl");
    assertThat(DatabaseCredentials.resolve(without, Optional.empty(), Map.of("PGUSER", "pg")).user()).isEqualTo("pg");
    assertThatThrownBy(() -> DatabaseCredentials.resolve(without, Optional.empty(), Map.of()))
        .hasMessageContaining("no PostgreSQL user").hasMessageContaining("LABSCAN_DB_USER");
  }

  @Test
  void thePasswordFileWinsOverTheEnvironmentAndLosesItsTrailingLineBreak(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("db.pw");
    Files.writeString(file, SECRET + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    var url = (DatabaseUrl.Postgres) DatabaseUrl.parse("postgresql://labscan@db.example.edu/labscan");
    Map<String, String> env = Map.of("LABSCAN_DB_PASSWORD", "from-env", "PGPASSWORD", "from-pg");
    assertThat(DatabaseCredentials.resolve(url, Optional.of(file), env).password()).contains(SECRET);
    assertThat(DatabaseCredentials.resolve(url, Optional.empty(), env).password()).contains("from-env");
    assertThat(DatabaseCredentials.resolve(url, Optional.empty(), Map.of("PGPASSWORD", "from-pg")).password())
        .contains("from-pg");
    assertThat(DatabaseCredentials.resolve(url, Optional.empty(), Map.of()).password()).isEmpty();
    assertThat(DatabaseCredentials.resolve(url, Optional.of(file), env).toString()).doesNotContain(SECRET);
  }

  @Test
  void aPasswordFileOthersCanReadIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("db.pw");
    Files.writeString(file, SECRET + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    var url = (DatabaseUrl.Postgres) DatabaseUrl.parse("postgresql://labscan@db.example.edu/labscan");
    assertThatThrownBy(() -> DatabaseCredentials.resolve(url, Optional.of(file), Map.of()))
        .hasMessageContaining("readable by other users").hasMessageContaining("chmod 600")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void anEmptyOrMultiLinePasswordFileIsRefused(@TempDir Path dir) throws Exception {
    var url = (DatabaseUrl.Postgres) DatabaseUrl.parse("postgresql://labscan@db.example.edu/labscan");
    Path empty = dir.resolve("empty.pw");
    Files.writeString(empty, "\n");
    Path two = dir.resolve("two.pw");
    Files.writeString(two, "labscan\n" + SECRET + "\n");
    for (Path f : List.of(empty, two)) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    assertThatThrownBy(() -> DatabaseCredentials.resolve(url, Optional.of(empty), Map.of())).hasMessageContaining("is empty");
    assertThatThrownBy(() -> DatabaseCredentials.resolve(url, Optional.of(two), Map.of()))
        .hasMessageContaining("more than one line").hasMessageNotContaining(SECRET);
  }
}
