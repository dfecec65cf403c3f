package io.labscan.controller.audit;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * Who did something: a web user, an API token (by name and id), the operating-system user who
 * ran a command-line tool, the controller itself, or an anonymous client (a failed login names
 * the user name it tried).
 */
public record Actor(Kind kind, String name) {
  /** The kinds of actor, stored lower-case. */
  public enum Kind {
    USER, TOKEN, CLI, SYSTEM, ANONYMOUS;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Kind parse(String id) {
      return valueOf(id.toUpperCase(Locale.ROOT));
    }
  }

  public Actor {
    requireNonNull(kind, "kind");
    requireNonNull(name, "name");
  }

  public static Actor user(String username) {
    return new Actor(Kind.USER, username);
  }

  /** A token, shown as {@code name (id)} so two tokens of one name stay apart. */
  public static Actor token(String tokenId, String name) {
    return new Actor(Kind.TOKEN, name + " (" + tokenId + ")");
  }

  /** The operating-system user running this command-line tool ({@code user.name}). */
  public static Actor cli() {
    return new Actor(Kind.CLI, System.getProperty("user.name", "unknown"));
  }

  public static Actor system(String component) {
    return new Actor(Kind.SYSTEM, component);
  }

  /** A client that is not logged in; {@code claimed} is the user name it tried, if any. */
  public static Actor anonymous(String claimed) {
    return new Actor(Kind.ANONYMOUS, claimed == null ? "" : claimed);
  }
}
