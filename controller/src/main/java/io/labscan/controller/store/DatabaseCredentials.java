package io.labscan.controller.store;

import static java.util.Objects.requireNonNull;

import io.labscan.contract.trust.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who the controller logs in to PostgreSQL as, and with what password — never from the command
 * line.
 *
 * <p><b>User</b>, first found: the URL's ({@code postgresql://USER@HOST/DB}, not a secret),
 * {@code LABSCAN_DB_USER}, {@code PGUSER}. None is an error naming the three places.
 *
 * <p><b>Password</b>, first found: the file given with {@code --db-password-file} (its only
 * line; one trailing line break is dropped; the file must be readable by its owner only, as
 * ssh insists for keys, and at most 1 KiB), {@code LABSCAN_DB_PASSWORD}, {@code PGPASSWORD}.
 * None is allowed: the server may authenticate by client certificate ({@code sslcert}/
 * {@code sslkey}) or trust a local socket; it then refuses with its own message if not.
 *
 * <p>{@link #toString()} never shows the password.
 */
public record DatabaseCredentials(String user, Optional<String> password) {
  static final int MAX_PASSWORD_FILE = 1024;

  public DatabaseCredentials {
    requireNonNull(user, "user");
    requireNonNull(password, "password");
  }

  /**
   * The credentials for {@code url} from {@code passwordFile} (when given) and
   * {@code environment}; IllegalArgumentException naming the problem otherwise.
   */
  public static DatabaseCredentials resolve(DatabaseUrl.Postgres url, Optional<Path> passwordFile,
      Map<String, String> environment) {
    requireNonNull(url, "url");
    requireNonNull(passwordFile, "passwordFile");
    requireNonNull(environment, "environment");
    String user = url.user()
        .or(() -> nonEmpty(environment.get("LABSCAN_DB_USER")))
        .or(() -> nonEmpty(environment.get("PGUSER")))
        .orElseThrow(() -> new IllegalArgumentException("no PostgreSQL user: name it in the URL "
            + "(postgresql://USER@HOST/DATABASE) or in the environment variable LABSCAN_DB_USER"));
    Optional<String> password = passwordFile.isPresent()
        ? Optional.of(readPasswordFile(passwordFile.get()))
        : nonEmpty(environment.get("LABSCAN_DB_PASSWORD")).or(() -> nonEmpty(environment.get("PGPASSWORD")));
    return new DatabaseCredentials(user, password);
  }

  /** The password in {@code file}: owner-only, one line, not empty. */
  static String readPasswordFile(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
        throw new IllegalArgumentException("--db-password-file " + file + " does not exist or is not a file");
      }
      if (!OwnerOnlyFiles.isOwnerOnly(file)) {
        throw new IllegalArgumentException("--db-password-file " + file + " is readable by other users: "
            + "make it owner-only (chmod 600 " + file + ")");
      }
      if (Files.size(file) > MAX_PASSWORD_FILE) {
        throw new IllegalArgumentException("--db-password-file " + file + " is larger than " + MAX_PASSWORD_FILE
            + " bytes: it should hold the password only");
      }
      String text;
      try {
        text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("--db-password-file " + file + " is not UTF-8 text");
      }
      if (text.endsWith("\r\n")) {
        text = text.substring(0, text.length() - 2);
      } else if (text.endsWith("\n")) {
        text = text.substring(0, text.length() - 1);
      }
      if (text.isEmpty()) {
        throw new IllegalArgumentException("--db-password-file " + file + " is empty");
      }
      if (text.contains("\n") || text.contains("\r")) {
        throw new IllegalArgumentException("--db-password-file " + file
            + " holds more than one line: it should hold the password only");
      }
      return text;
    } catch (IOException e) {
      throw new IllegalArgumentException("--db-password-file " + file + " cannot be read: " + e.getMessage());
    }
  }

  private static Optional<String> nonEmpty(@Nullable String value) {
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  @Override
  public String toString() {
    return "DatabaseCredentials[user=" + user + ", password=" + (password.isPresent() ? "(set)" : "(none)") + "]";
  }
}
