package io.labscan.controller.cli;

import io.labscan.controller.text.Text;
import io.labscan.contract.enrolment.EnrolmentToken;
import io.labscan.controller.store.Storage;
import io.labscan.controller.trust.CertificateAuthority;
import io.labscan.controller.trust.EnrolmentTokens;
import io.labscan.controller.trust.HostIds;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code labscan-controller enroll-token}: a token with which agents obtain their certificates. */
@Command(name = "enroll-token", mixinStandardHelpOptions = true,
    description = {
      "Prints an enrolment token (standard output, one line) and the CA fingerprint it pins.",
      "Format: LS1.<token id>.<secret>.<CA fingerprint>. The controller keeps only the SHA-256 of the",
      "secret. Give the token to 'labscan-agent enroll --token-file FILE' (or 'token:' in agent.yaml).",
      "Creates the database (a SQLite file, or the LabScan schema in an empty PostgreSQL database) and the CA",
      "if they do not exist yet."
    })
final class EnrollTokenCommand implements Callable<Integer> {
  @Mixin DatabaseOptions db;

  @Option(names = "--pki-dir", paramLabel = "DIR",
      description = "Folder of the CA, as given to serve (default: pki/ beside a SQLite database; required with a "
          + "postgresql:// --db).")
  @Nullable Path pkiDir;

  @Option(names = "--lab", defaultValue = "", paramLabel = "LAB",
      description = "Lab the enrolled hosts belong to (overrides what agents say about themselves).")
  String lab;

  @Option(names = "--ttl", defaultValue = "24h", paramLabel = "DURATION",
      description = "How long the token is valid: 30m, 24h, 7d, ... (default: ${DEFAULT-VALUE}, at most 90d).")
  String ttl;

  @Option(names = "--uses", defaultValue = "1", paramLabel = "N",
      description = "How many agents may enrol with it (default: ${DEFAULT-VALUE}).")
  int uses;

  @Option(names = "--host", paramLabel = "ID",
      description = "Admin only: a single-use token that re-enrols this existing host (host id, or a hostname when "
          + "unique), e.g. a reinstalled machine keeping its history. Its new certificate replaces the host's "
          + "current one. Without --host a token only ever enrols new hosts.")
  String host;

  @Override
  public Integer call() {
    Duration lifetime;
    try {
      lifetime = EnrolmentTokens.parseDuration(ttl);
    } catch (IllegalArgumentException e) {
      System.err.println("labscan-controller enroll-token: --ttl " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    Path caFolder;
    try {
      caFolder = db.pkiFolder(Optional.ofNullable(pkiDir));
    } catch (IllegalArgumentException e) {
      System.err.println("labscan-controller enroll-token: " + e.getMessage());
      return ControllerMain.EXIT_BAD_INPUT;
    }
    boolean newDatabase = db.missingFile();
    Clock clock = Clock.systemUTC();
    var opened = db.open("enroll-token", DatabaseSelection.Absent.CREATE);
    if (opened.isEmpty()) {
      return ControllerMain.EXIT_BAD_INPUT;
    }
    try (Storage store = opened.get()) {
      CertificateAuthority ca = CertificateAuthority.loadOrCreate(caFolder, clock);
      if (newDatabase) {
        System.err.println("Created database " + db.url().localFile().orElseThrow().toAbsolutePath() + ".");
      }
      if (ca.created()) {
        System.err.println("Created the controller CA in " + ca.folder() + " (back it up with the database).");
      }
      Instant now = clock.instant();
      EnrolmentToken token;
      String boundHost = null;
      try {
        EnrolmentTokens tokens = new EnrolmentTokens(store, ca.fingerprint());
        if (host != null) {
          if (uses != 1) {
            System.err.println("labscan-controller enroll-token: a token for one host (--host) is good for one use; "
                + "drop --uses.");
            return ControllerMain.EXIT_BAD_INPUT;
          }
          boundHost = HostIds.valid(host) && store.hostKnown(host) ? host
              : HostLookup.find(store, "enroll-token", host, now).map(h -> h.hostId()).orElse(null);
          if (boundHost == null) {
            return ControllerMain.EXIT_BAD_INPUT;
          }
          token = tokens.issueFor(boundHost, lab, lifetime, now);
        } else {
          token = tokens.issue(lab, lifetime, uses, now);
        }
      } catch (IllegalArgumentException e) {
        System.err.println("labscan-controller enroll-token: " + Text.terminal(e.getMessage()));
        return ControllerMain.EXIT_BAD_INPUT;
      }
      io.labscan.controller.audit.AuditLog.forCli(store).cli(io.labscan.controller.audit.Actions.ENROLL_TOKEN, token.tokenId(),
          (boundHost == null ? "" : "re-enrols host " + boundHost + "; ") + "lab '" + lab.strip() + "'; " + uses
              + " use(s); expires " + now.plus(lifetime));
      System.out.println(token.text());
      System.err.printf("Token %s: %s%s, %d use%s, expires %s.%n", token.tokenId(),
          boundHost == null ? "" : "re-enrols host " + Text.terminal(boundHost) + ", ",
          lab.isBlank() ? "no lab" : "lab '" + Text.terminalSafe(lab.strip(), 128) + "'", uses, uses == 1 ? "" : "s",
          now.plus(lifetime));
      System.err.println("CA fingerprint (SHA-256, pinned in the token): " + ca.fingerprint());
      return 0;
    }
  }
}
