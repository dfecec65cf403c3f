package io.labscan.controller.cli;

import io.labscan.controller.Controller;
import io.labscan.controller.account.Accounts;
import io.labscan.controller.account.Role;
import io.labscan.controller.account.User;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.oidc.SsoAccounts;
import io.labscan.controller.store.Storage;
import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code labscan-controller user}: web UI accounts. */
@Command(name = "user", mixinStandardHelpOptions = true,
    description = {"Manages web UI users. Roles: viewer reads every lab; lab-manager reads only its labs (--lab,",
        "repeatable) and starts campaigns for them; admin also triages, edits lab rules, tokens and sees the audit log."},
    subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class, UserCommand.Remove.class,
        UserCommand.SetRole.class})
public final class UserCommand implements Runnable {
  static final int EXIT_BAD_INPUT = 2;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code user add}. */
  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Adds a user; asks for the password twice unless --password-file is given.")
  static final class Add implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Option(names = "--role", required = true, paramLabel = "viewer|lab-manager|admin", description = "The user's role.")
    String role;

    @Option(names = "--lab", paramLabel = "LAB",
        description = "A lab a lab-manager may see (repeatable; at least one for lab-manager, none for other roles).")
    List<String> labs = new ArrayList<>();

    @Option(names = "--password-file", paramLabel = "FILE",
        description = "Read the password from the first line of FILE instead of asking.")
    Path passwordFile;

    @Option(names = "--replace", description = "Reset the password and role of an existing user.")
    boolean replace;

    @Option(names = "--sso",
        description = "A user who logs in with single sign-on only (no local password), for people in no group "
            + "--oidc-role-map maps. The first single sign-on login whose provider subject is --subject, or whose "
            + "e-mail is --email and verified by the provider, claims it; without either, a subject or verified "
            + "e-mail equal to NAME does. Never the provider's user name alone.")
    boolean sso;

    @Option(names = "--email", paramLabel = "ADDRESS",
        description = "With --sso: the e-mail address (email claim, email_verified true) whose login claims the account.")
    String email;

    @Option(names = "--subject", paramLabel = "SUB",
        description = "With --sso: the provider's stable subject id (sub claim) whose login claims the account.")
    String subject;

    @Parameters(paramLabel = "NAME", description = "User name (letters, digits, . _ @ -).")
    String name;

    @Override
    public Integer call() throws IOException {
      var parsedRole = Role.parse(role);
      if (parsedRole.isEmpty()) {
        System.err.println("labscan-controller user add: --role must be viewer, lab-manager or admin.");
        return EXIT_BAD_INPUT;
      }
      try {
        Accounts.checkLabs(parsedRole.get(), new LinkedHashSet<>(labs));
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller user add: " + e.getMessage() + ".");
        return EXIT_BAD_INPUT;
      }
      var opened = db.open("user add", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        return sso ? addSingleSignOnUser(store, parsedRole.get()) : addWithPassword(store, parsedRole.get());
      }
    }

    private int addWithPassword(Storage store, Role parsedRole) throws IOException {
      if (email != null || subject != null) {
        System.err.println("labscan-controller user add: --email and --subject go with --sso.");
        return EXIT_BAD_INPUT;
      }
      String password;
      if (passwordFile != null) {
        String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        password = (nl >= 0 ? text.substring(0, nl) : text).replace("\r", "");
      } else {
        Console console = System.console();
        if (console == null) {
          System.err.println("labscan-controller user add: no terminal to ask for the password; use --password-file.");
          return EXIT_BAD_INPUT;
        }
        char[] first = console.readPassword("Password for %s: ", name);
        char[] second = console.readPassword("Again: ");
        if (first == null || second == null || !Arrays.equals(first, second)) {
          System.err.println("labscan-controller user add: the passwords differ.");
          return EXIT_BAD_INPUT;
        }
        password = new String(first);
        Arrays.fill(first, '\0');
        Arrays.fill(second, '\0');
      }
      boolean existed;
      try {
        Accounts accounts = Controller.over(store, Clock.systemUTC()).accounts();
        existed = accounts.find(name).isPresent();
        accounts.add(name, parsedRole, new LinkedHashSet<>(labs), password, replace);
        AuditLog.forCli(store).cli(existed ? Actions.USER_REPLACE : Actions.USER_ADD, name,
            describe(parsedRole, labs) + (existed ? "; password reset" : ""));
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller user add: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
      System.out.println((existed ? "Saved" : "Added") + " user " + name + " (" + describe(parsedRole, labs)
          + ").");
      return 0;
    }

    private int addSingleSignOnUser(Storage store, Role parsedRole) {
      if (passwordFile != null || replace) {
        System.err.println("labscan-controller user add: --sso users have no password (no --password-file or --replace;"
            + " use set-role to change the role).");
        return EXIT_BAD_INPUT;
      }
      Optional<String> sub = Optional.ofNullable(subject).map(String::strip);
      Optional<String> mail = Optional.ofNullable(email).map(String::strip);
      String claimedBy = sub.map(x -> "provider subject " + x).orElse("")
          + (sub.isPresent() && mail.isPresent() ? " or " : "")
          + mail.map(x -> "verified e-mail " + x).orElse("");
      if (claimedBy.isEmpty()) {
        claimedBy = "provider subject or verified e-mail " + name;
      }
      try {
        Accounts accounts = Controller.over(store, Clock.systemUTC()).accounts();
        if (!new SsoAccounts(store, accounts, Clock.systemUTC()).prepare(name, parsedRole, new LinkedHashSet<>(labs),
            sub, mail)) {
          System.err.println("labscan-controller user add: user '" + name + "' exists already.");
          return EXIT_BAD_INPUT;
        }
        AuditLog.forCli(store).cli(Actions.USER_ADD, name, describe(parsedRole, labs) + "; single sign-on only, claimed "
            + "by the " + claimedBy);
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller user add: " + e.getMessage());
        return EXIT_BAD_INPUT;
      }
      System.out.println("Added user " + name + " (" + describe(parsedRole, labs) + "), single sign-on only: the first "
          + "single sign-on login with the " + claimedBy + " claims it.");
      return 0;
    }
  }

  /** {@code user remove}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes a web UI user; their open sessions end at once, also in a running controller.")
  static final class Remove implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
    String name;

    @Override
    public Integer call() {
      var opened = db.open("user remove", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        boolean removed;
        try {
          removed = Controller.over(store, Clock.systemUTC()).accounts().remove(name);
          if (removed) {
            AuditLog.forCli(store).cli(Actions.USER_REMOVE, name, "");
          }
        } catch (IllegalArgumentException e) {
          System.err.println("labscan-controller user remove: " + e.getMessage() + ".");
          return EXIT_BAD_INPUT;
        }
        if (!removed) {
          System.err.println("labscan-controller user remove: no user '" + name.replaceAll("[^\\x20-\\x7e]", "?")
              + "'.");
          return EXIT_BAD_INPUT;
        }
      }
      System.out.println("Removed user " + name.replaceAll("[^\\x20-\\x7e]", "?") + "; their sessions have ended.");
      return 0;
    }
  }

  /** {@code user list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists web UI users and their roles.")
  static final class ListUsers implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Override
    public Integer call() {
      var opened = db.open("user list", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        for (User u : Controller.over(store, Clock.systemUTC()).accounts().list()) {
          System.out.println(u.username() + "\t" + u.role().id() + (u.labs().isEmpty() ? "" : "\t"
              + String.join(",", u.labs()).replaceAll("[\\p{Cntrl}]", "?")));
        }
      }
      return 0;
    }
  }

  static String describe(Role role, List<String> labs) {
    return role.id() + (labs.isEmpty() ? "" : " of " + String.join(", ", new java.util.TreeSet<>(labs)));
  }

  /** {@code user set-role}: a new role (and labs) without touching the password. */
  @Command(name = "set-role", mixinStandardHelpOptions = true,
      description = {"Changes a user's role and labs; the password and open sessions stay (the new role applies",
          "at their next request, also in a running controller)."})
  static final class SetRole implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Option(names = "--role", required = true, paramLabel = "viewer|lab-manager|admin", description = "The new role.")
    String role;

    @Option(names = "--lab", paramLabel = "LAB",
        description = "A lab a lab-manager may see (repeatable; replaces the user's labs).")
    List<String> labs = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
    String name;

    @Override
    public Integer call() {
      var parsedRole = Role.parse(role);
      if (parsedRole.isEmpty()) {
        System.err.println("labscan-controller user set-role: --role must be viewer, lab-manager or admin.");
        return EXIT_BAD_INPUT;
      }
      var opened = db.open("user set-role", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        Controller.over(store, Clock.systemUTC()).accounts().setRole(name, parsedRole.get(), new LinkedHashSet<>(labs));
        AuditLog.forCli(store).cli(Actions.USER_ROLE, name, describe(parsedRole.get(), labs));
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller user set-role: " + e.getMessage() + ".");
        return EXIT_BAD_INPUT;
      }
      System.out.println("User " + name.replaceAll("[^\\x20-\\x7e]", "?") + " is now "
          + describe(parsedRole.get(), labs).replaceAll("[\\p{Cntrl}]", "?") + ".");
      return 0;
    }
  }
}
