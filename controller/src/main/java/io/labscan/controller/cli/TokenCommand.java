package io.labscan.controller.cli;

import io.labscan.controller.account.ApiToken;
import io.labscan.controller.account.ApiTokens;
import io.labscan.controller.account.Role;
import io.labscan.controller.audit.Actions;
import io.labscan.controller.audit.AuditLog;
import io.labscan.controller.store.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code labscan-controller token}: API tokens for scripts and dashboards, from the command line
 * of the controller's machine (file permissions on the database decide who may). Every creation
 * and revocation is recorded in the audit log under the operating-system user.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = {"Manages API tokens (Authorization: Bearer) for scripts and dashboards: usable for /api/v1/",
        "and /metrics, never for users or tokens. The token is printed once; only its hash is stored."},
    subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public final class TokenCommand implements Runnable {
  static final int EXIT_BAD_INPUT = 2;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  private static String safe(String s) {
    return s.replaceAll("[\\p{Cntrl}]", "?");
  }

  /** {@code token create}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Creates a token and prints it once on standard output.")
  static final class Create implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the token is for (grafana).")
    String name;

    @Option(names = "--role", defaultValue = "viewer", paramLabel = "viewer|lab-manager|admin",
        description = "What the token may do (default: ${DEFAULT-VALUE}; lab-manager with --lab).")
    String role;

    @Option(names = "--lab", paramLabel = "LAB",
        description = "A lab a lab-manager token may see (repeatable; implies --role lab-manager).")
    List<String> labs = new ArrayList<>();

    @Option(names = "--expires", defaultValue = "90d", paramLabel = "DURATION",
        description = "How long the token lasts: 12h, 90d, 2w (default: ${DEFAULT-VALUE}; at most 730d).")
    String expires;

    @Override
    public Integer call() {
      var parsedRole = Role.parse(role);
      if (parsedRole.isEmpty()) {
        System.err.println("labscan-controller token create: --role must be viewer, lab-manager or admin.");
        return EXIT_BAD_INPUT;
      }
      Role r = !labs.isEmpty() && parsedRole.get() == Role.VIEWER ? Role.LAB_MANAGER : parsedRole.get();
      var opened = db.open("token create", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        ApiTokens.Created created = new ApiTokens(store, Clock.systemUTC()).create(name, r,
            new LinkedHashSet<>(labs), ApiTokens.parseValidity(expires), "cli:" + System.getProperty("user.name", "?"));
        AuditLog.forCli(store).cli(Actions.TOKEN_CREATE, created.token().tokenId(), describe(created.token()));
        System.err.println("Created token " + created.token().tokenId() + " '" + safe(created.token().name()) + "' ("
            + r.id() + (created.token().labs().isEmpty() ? "" : " of " + safe(String.join(", ", created.token().labs())))
            + "), expires " + created.token().expires() + ". It is shown only this once:");
        System.out.println(created.secret());
        return 0;
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller token create: " + e.getMessage() + ".");
        return EXIT_BAD_INPUT;
      }
    }
  }

  static String describe(ApiToken t) {
    return "'" + t.name() + "' role " + t.role().id() + (t.labs().isEmpty() ? "" : " labs " + String.join(",", t.labs()))
        + " expires " + t.expires();
  }

  /** {@code token list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Lists tokens: id, name, role, labs, state, expiry, last use (never the secret).")
  static final class ListTokens implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Override
    public Integer call() {
      var opened = db.open("token list", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        Instant now = Clock.systemUTC().instant();
        System.out.println("ID\tNAME\tROLE\tLABS\tSTATE\tEXPIRES\tLAST USED\tCREATED BY");
        for (ApiToken t : new ApiTokens(store, Clock.systemUTC()).list()) {
          System.out.println(String.join("\t", t.tokenId(), safe(t.name()), t.role().id(),
              t.labs().isEmpty() ? "-" : safe(String.join(",", t.labs())), t.state(now), t.expires().toString(),
              t.lastUsed().map(Instant::toString).orElse("never"), safe(t.createdBy())));
        }
      }
      return 0;
    }
  }

  /** {@code token revoke}. */
  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revokes a token: a running controller refuses it from its next request.")
  static final class Revoke implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Parameters(index = "0", paramLabel = "ID", description = "Token id (from 'token list').")
    String id;

    @Override
    public Integer call() {
      var opened = db.open("token revoke", DatabaseSelection.Absent.REFUSE);
      if (opened.isEmpty()) {
        return EXIT_BAD_INPUT;
      }
      try (Storage store = opened.get()) {
        var revoked = new ApiTokens(store, Clock.systemUTC()).revoke(id, "cli:" + System.getProperty("user.name", "?"));
        if (revoked.isEmpty()) {
          System.err.println("labscan-controller token revoke: no live token '" + safe(id) + "'.");
          return EXIT_BAD_INPUT;
        }
        AuditLog.forCli(store).cli(Actions.TOKEN_REVOKE, id, describe(revoked.get()));
        System.out.println("Revoked token " + id + " '" + safe(revoked.get().name()) + "'.");
      }
      return 0;
    }
  }
}
