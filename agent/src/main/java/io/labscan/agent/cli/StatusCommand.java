package io.labscan.agent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.schedule.ScheduleState;
import io.labscan.agent.schedule.ScheduleStateStore;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.transport.CredentialRenewal;
import io.labscan.agent.transport.Spool;
import io.labscan.agent.trust.AgentCredentials;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code labscan-agent status}: what the agent's state folder says, without changing it and
 * without calling the controller: identity, certificate and its renewal, reports waiting in the
 * spool, the last full scan. Safe while the service runs.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {
      "Shows this agent's identity, certificate (and when it renews), reports waiting for the controller",
      "and the last full scan, from its state folder. Changes nothing; safe while the service runs."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:enrolled (or plaintext), certificate valid",
      "1:not enrolled, or the certificate has ended or is unreadable",
      "2:bad input: unreadable config, missing state folder"
    })
final class StatusCommand implements Callable<Integer> {
  static final int EXIT_NEEDS_ATTENTION = 1;

  @Mixin ConfigOptions configOptions;

  @Option(names = "--json", description = "Print one JSON object (for scripts and monitoring).")
  boolean json;

  private final Clock clock;

  StatusCommand() {
    this(Clock.systemUTC());
  }

  StatusCommand(Clock clock) {
    this.clock = clock;
  }

  /** What the state folder says. */
  record Status(String stateDir, Optional<String> hostId, Optional<String> controller, boolean insecure,
      String certificate, Optional<Instant> certificateEnds, Optional<Instant> renewalStarts, boolean renewalPending,
      Optional<Spool.Backlog> spool, Optional<Instant> lastFullScan, boolean healthy) {}

  @Override
  public Integer call() throws IOException {
    AgentConfig config;
    try {
      config = configOptions.load();
    } catch (ConfigLoader.ConfigException e) {
      System.err.println("labscan-agent status: " + e.getMessage());
      return AgentMain.EXIT_BAD_INPUT;
    }
    Path state = config.stateDir();
    if (!Files.isDirectory(state)) {
      System.err.println("labscan-agent status: state folder " + state + " does not exist (the agent never ran "
          + "with it; pass --state-dir or --config).");
      return AgentMain.EXIT_BAD_INPUT;
    }
    Status status = read(config);
    System.out.print(json ? json(status) : text(status));
    return status.healthy() ? 0 : EXIT_NEEDS_ATTENTION;
  }

  Status read(AgentConfig config) {
    Path state = config.stateDir();
    Instant now = clock.instant();
    Optional<String> hostId = HostIdentity.existing(state);
    String certificate;
    Optional<Instant> ends = Optional.empty();
    Optional<Instant> renewal = Optional.empty();
    boolean healthy;
    if (config.insecure()) {
      certificate = "none: plaintext connection (insecure: true)";
      healthy = true;
    } else {
      try {
        // The certificate only: loading the credentials could finish a renewal the agent is installing.
        Optional<X509Certificate> cert = AgentCredentials.certificateOf(state);
        if (cert.isEmpty()) {
          certificate = "not enrolled: run 'labscan-agent enroll --token TOKEN'";
          healthy = false;
        } else {
          ends = Optional.of(cert.get().getNotAfter().toInstant());
          renewal = Optional.of(ends.get().minus(CredentialRenewal.RENEW_BEFORE));
          healthy = now.isBefore(ends.get());
          certificate = healthy ? "valid" : "ended: enrol again with 'labscan-agent enroll --force --token TOKEN'";
        }
      } catch (RuntimeException e) {
        certificate = "unreadable: " + e.getMessage();
        healthy = false;
      }
    }
    Optional<Spool.Backlog> spool;
    try {
      spool = Spool.peek(state);
    } catch (RuntimeException e) {
      spool = Optional.empty();
    }
    Optional<Instant> lastFull = new ScheduleStateStore(state, clock).peek()
        .flatMap(ScheduleState::lastCompletedFullScan);
    boolean pending = Files.isRegularFile(state.resolve(AgentCredentials.NEXT_KEY_FILE));
    return new Status(state.toString(), hostId, config.controller(), config.insecure(), certificate, ends, renewal,
        pending, spool, lastFull, healthy);
  }

  private String text(Status s) {
    Instant now = clock.instant();
    StringBuilder out = new StringBuilder();
    out.append("State folder:   ").append(s.stateDir()).append('\n');
    out.append("Host id:        ").append(s.hostId().orElse("(none yet: the agent never ran here)")).append('\n');
    out.append("Controller:     ").append(s.controller().orElse("(not configured)"))
        .append(s.insecure() ? " (plaintext)" : "").append('\n');
    out.append("Certificate:    ").append(s.certificate());
    s.certificateEnds().ifPresent(end -> out.append(", ends ").append(end).append(" (").append(days(now, end))
        .append(')'));
    out.append('\n');
    s.renewalStarts().ifPresent(start -> out.append("Renewal:        ")
        .append(now.isBefore(start) ? "from " + start + " (" + days(now, start) + ")"
            : s.renewalPending() ? "under way (a new key waits for its certificate)" : "due: at the next heartbeat")
        .append('\n'));
    out.append("Spool:          ").append(s.spool().map(b -> b.reports() + " report(s) waiting, " + b.bytes()
        + " bytes" + b.oldest().map(o -> ", oldest from " + o).orElse("")).orElse("(no spool yet)")).append('\n');
    out.append("Last full scan: ").append(s.lastFullScan().map(Instant::toString).orElse("(none recorded)"))
        .append('\n');
    return out.toString();
  }

  private static String days(Instant now, Instant then) {
    long d = Duration.between(now, then).toDays();
    return d >= 0 ? "in " + d + " days" : -d + " days ago";
  }

  private static String json(Status s) throws IOException {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("stateDir", s.stateDir());
      g.writeStringField("hostId", s.hostId().orElse(null));
      g.writeStringField("controller", s.controller().orElse(null));
      g.writeBooleanField("insecure", s.insecure());
      g.writeStringField("certificate", s.certificate());
      g.writeStringField("certificateEnds", s.certificateEnds().map(Instant::toString).orElse(null));
      g.writeStringField("renewalStarts", s.renewalStarts().map(Instant::toString).orElse(null));
      g.writeBooleanField("renewalPending", s.renewalPending());
      g.writeNumberField("spooledReports", s.spool().map(Spool.Backlog::reports).orElse(0L));
      g.writeNumberField("spooledBytes", s.spool().map(Spool.Backlog::bytes).orElse(0L));
      g.writeStringField("oldestSpooled", s.spool().flatMap(Spool.Backlog::oldest).map(Instant::toString).orElse(null));
      g.writeStringField("lastFullScan", s.lastFullScan().map(Instant::toString).orElse(null));
      g.writeBooleanField("healthy", s.healthy());
      g.writeEndObject();
    }
    return w + "\n";
  }
}
