package io.labscan.agent.doctor;

import static java.util.Objects.requireNonNull;

import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.transport.ControllerTargets;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.doctor.Finding;
import io.labscan.contract.doctor.Probes;
import io.labscan.contract.trust.Pem;
import io.labscan.contract.trust.TlsManagers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * {@code labscan-agent doctor}: what a new installation of the agent gets wrong, each with the
 * command that fixes it — a config file others can read while it holds a token, no controller,
 * a state folder the agent cannot write, no certificate and no token, a certificate that ended
 * or is not valid yet (this machine's clock behind the controller's: the only clock comparison
 * an agent can make without an authenticated call), a controller that cannot be reached, and a
 * controller whose TLS handshake fails with the pinned CA and this agent's certificate. Every
 * configured controller is probed, each address on its own lines (see {@code controllers}).
 *
 * <p>Read-only like {@code status}: it never finishes a renewal, enrols or writes the state
 * folder, so it is safe while the service runs. Each network probe is bounded by one timeout.
 */
public final class AgentDoctor {
  /** Controller addresses probed at once, at most. */
  static final int PARALLEL_PROBES = 8;

  private final Clock clock;
  private final Duration timeout;
  private final ControllerTargets.Resolver resolver;

  public AgentDoctor(Clock clock, Duration timeout) {
    this(clock, timeout, ControllerTargets.Resolver.SYSTEM);
  }

  /** As the agent resolves controller names with {@code resolver} (tests: a fixed table). */
  public AgentDoctor(Clock clock, Duration timeout, ControllerTargets.Resolver resolver) {
    this.clock = requireNonNull(clock, "clock");
    this.timeout = requireNonNull(timeout, "timeout");
    this.resolver = requireNonNull(resolver, "resolver");
  }

  /** The findings for {@code config}, read from {@code configFile} (empty: built-in defaults). */
  public List<Finding> examine(AgentConfig config, Optional<Path> configFile) {
    requireNonNull(config, "config");
    requireNonNull(configFile, "configFile");
    List<Finding> findings = new ArrayList<>();
    String configName = configFile.map(Path::toString).orElse("/etc/labscan/agent.yaml");
    configFile.ifPresent(file -> findings.add(configFilePrivacy(file, config)));

    // The first controller's host names the default enrolment port; every controller is probed below.
    Optional<HostPort> controller = config.controllers().stream().findFirst().map(HostPort::parse);
    if (controller.isEmpty()) {
      findings.add(Finding.problem("no controller address in " + configName,
          "labscan-agent-setup --controller HOST:PORT --token TOKEN (or add 'controller: HOST:PORT' to "
              + configName + ")"));
    }
    findings.add(stateFolder(config.stateDir()));

    Optional<Credentials> credentials = Optional.empty();
    if (!config.insecure()) {
      try {
        credentials = Credentials.read(config.stateDir());
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        findings.add(Finding.problem("the credentials in " + config.stateDir() + " are unreadable: " + e.getMessage(),
            "labscan-agent enroll --config " + configName + " --token-file TOKEN_FILE --force"));
      }
      if (credentials.isPresent()) {
        findings.addAll(certificateDates(credentials.get(), configName));
      } else if (config.token().isPresent()) {
        findings.add(Finding.ok("not enrolled yet: the service enrols with the token in " + configName
            + " at its next start"));
      } else if (findings.stream().noneMatch(f -> f.what().startsWith("the credentials"))) {
        findings.add(Finding.problem("not enrolled (no " + AgentCredentials.CERTIFICATE_FILE + " in "
            + config.stateDir() + ") and no token in " + configName,
            "labscan-agent enroll --config " + configName + " --token-file TOKEN_FILE"
                + " (a token from: labscan-controller enroll-token --db DB)"));
      }
    } else {
      findings.add(Finding.warning("insecure: true in " + configName
          + ": plaintext gRPC, no certificate (demo and closed test networks only)",
          "remove 'insecure: true' from " + configName + " and enrol: labscan-agent enroll --config "
              + configName + " --token-file TOKEN_FILE"));
    }

    if (controller.isPresent()) {
      HostPort target = controller.get();
      findings.addAll(controllers(config.controllers(), credentials, configName));
      if (credentials.isEmpty() && !config.insecure() && config.token().isPresent()) {
        HostPort enroll = config.enroll().filter(s -> !s.isBlank()).map(HostPort::parse)
            .orElse(new HostPort(target.host(), target.port() + 1));
        Optional<String> enrollRefusal = Probes.connectRefusal(enroll.host(), enroll.port(), timeout);
        findings.add(enrollRefusal.isEmpty()
            ? Finding.ok("the enrolment port " + enroll + " accepts TCP connections")
            : Finding.problem("cannot reach the enrolment port " + enroll + " (" + enrollRefusal.get() + ")",
                "check 'enroll:' in " + configName + " (default: the controller's port + 1, serve's --enroll-port)"
                    + " and that firewalls pass TCP port " + enroll.port()));
      }
    }
    return List.copyOf(findings);
  }

  /**
   * Every controller the agent may use, each address its own lines: reachable, and TLS with it
   * works. A name with several A/AAAA records is probed at each address, as the agent dials them
   * ({@link ControllerTargets}). An unreachable controller is a problem when no other one works
   * (the agent cannot report), and only a warning naming it when another works: the agent fails
   * over to that one, so the installation is usable, but one controller down is worth knowing. A
   * reachable controller whose TLS handshake fails stays a problem either way: that is a wrong
   * address or a controller of another CA, and the agent would fail there on its next failover.
   * The probes run in parallel (at most {@link #PARALLEL_PROBES} at once), so many dead addresses
   * cost a few timeouts, not one each.
   */
  private List<Finding> controllers(List<String> entries, Optional<Credentials> credentials, String configName) {
    List<ControllerTargets.Target> targets = new ControllerTargets(entries, resolver).expand();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(PARALLEL_PROBES, targets.size()), r -> {
      Thread t = new Thread(r, "labscan-doctor-probe");
      t.setDaemon(true);
      return t;
    });
    List<Probe> probes = new ArrayList<>();
    try {
      List<Future<Probe>> running = new ArrayList<>();
      for (ControllerTargets.Target target : targets) {
        running.add(pool.submit(() -> probe(target, credentials, configName)));
      }
      for (Future<Probe> f : running) {
        probes.add(f.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of(Finding.problem("the controller probes were interrupted", "run labscan-agent doctor again"));
    } catch (ExecutionException e) {
      throw new IllegalStateException("a controller probe failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    boolean anyWorks = probes.stream().anyMatch(Probe::works);
    long working = probes.stream().filter(Probe::works).count();
    List<Finding> findings = new ArrayList<>();
    for (Probe p : probes) {
      if (p.refusal().isPresent()) {
        String what = "cannot reach the controller at " + p.name() + " (" + p.refusal().get() + ")";
        String fix = "check 'controller:' in " + configName + ", that 'labscan-controller serve' runs there (its --bind), "
            + "and that firewalls pass TCP port " + p.port();
        findings.add(anyWorks
            ? Finding.warning(what + ": the agent uses the other controllers meanwhile (" + working + " of "
                + probes.size() + " work)", fix)
            : Finding.problem(what, fix));
      } else {
        findings.add(Finding.ok("the controller at " + p.name() + " accepts TCP connections"));
        p.handshake().ifPresent(findings::add);
      }
    }
    return findings;
  }

  /** What probing one target found: why it is unreachable, or how its TLS handshake went (none: not tried). */
  private record Probe(String name, int port, Optional<String> refusal, Optional<Finding> handshake) {
    boolean works() {
      return refusal.isEmpty() && handshake.map(h -> h.level() == Finding.Level.OK).orElse(true);
    }
  }

  private Probe probe(ControllerTargets.Target target, Optional<Credentials> credentials, String configName) {
    HostPort authority = HostPort.parse(target.authority());
    String dial = target.address().map(a -> a.getAddress().getHostAddress()).orElse(authority.host());
    String name = authority + target.address().map(a -> " (" + a.getAddress().getHostAddress() + ")").orElse("");
    Optional<String> refusal = Probes.connectRefusal(dial, authority.port(), timeout);
    Optional<Finding> handshake = refusal.isPresent() ? Optional.empty()
        : credentials.map(c -> handshake(name, dial, authority, c, configName));
    return new Probe(name, authority.port(), refusal, handshake);
  }

  private static Finding configFilePrivacy(Path file, AgentConfig config) {
    if (config.token().isEmpty()) {
      return Finding.ok(file + " holds no token");
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
        return Finding.problem(file + " holds an enrolment token and other accounts can read it",
            "chmod 600 " + file);
      }
    } catch (UnsupportedOperationException | IOException e) {
      return Finding.ok(file + " holds a token (permissions not checked here: " + e.getMessage() + ")");
    }
    return Finding.ok(file + " holds a token and only its owner can read it");
  }

  private static Finding stateFolder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return Finding.problem("the state folder " + dir + " does not exist",
          "sudo install -d -m 0750 " + dir + " (the .deb and install.sh create it)");
    }
    if (!Files.isWritable(dir)) {
      return Finding.problem("the state folder " + dir + " is not writable by " + System.getProperty("user.name")
              + " (run doctor as the account the service uses, root for the packaged service)",
          "sudo chown root: " + dir + " && sudo chmod 0750 " + dir);
    }
    return Finding.ok("the state folder " + dir + " is writable");
  }

  private List<Finding> certificateDates(Credentials c, String configName) {
    Instant now = clock.instant();
    List<Finding> findings = new ArrayList<>();
    String reEnrol = "labscan-agent enroll --config " + configName + " --token-file TOKEN_FILE --force";
    Probes.datesProblem("the agent certificate", c.certificate(), now).ifPresentOrElse(
        p -> findings.add(Finding.problem(p, p.contains("clock")
            ? "set this machine's clock (timedatectl set-ntp true), then check again" : reEnrol)),
        () -> findings.add(Finding.ok("the agent certificate is " + Probes.validUntil(c.certificate())
            + "; this machine's clock is not behind the controller's (its certificate is already valid)")));
    Probes.datesProblem("the controller CA certificate " + AgentCredentials.CA_FILE, c.ca(), now).ifPresent(
        p -> findings.add(Finding.problem(p, p.contains("clock")
            ? "set this machine's clock (timedatectl set-ntp true), then check again" : reEnrol)));
    return findings;
  }

  /** A TLS handshake as the agent makes it: dialling {@code dial}, naming {@code authority}'s host (SNI). */
  private Finding handshake(String name, String dial, HostPort target, Credentials c, String configName) {
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {TlsManagers.keyManager(c.key(), c.certificate())},
          new TrustManager[] {TlsManagers.trustManager(c.ca())}, null);
      try (Socket plain = new Socket()) {
        plain.connect(new InetSocketAddress(dial, target.port()), (int) timeout.toMillis());
        plain.setSoTimeout((int) timeout.toMillis());
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(plain, target.host(), target.port(), true)) {
          var parameters = socket.getSSLParameters();
          parameters.setApplicationProtocols(new String[] {"h2"});
          socket.setSSLParameters(parameters);
          socket.startHandshake();
        }
      }
      return Finding.ok("TLS with the controller at " + name + " works: its certificate is signed by the pinned CA");
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      return Finding.problem("the TLS handshake with the controller at " + name + " failed: " + e.getMessage()
              + " (is that the controller this agent enrolled with, and is its port the agent port, not HTTP?)",
          "if the controller got a new CA: labscan-agent enroll --config " + configName
              + " --token-file TOKEN_FILE --force");
    }
  }

  /** The agent's files, read without finishing a renewal (unlike {@link AgentCredentials#load}). */
  private record Credentials(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
    static Optional<Credentials> read(Path stateDir) throws IOException, GeneralSecurityException {
      Optional<X509Certificate> certificate = AgentCredentials.certificateOf(stateDir);
      if (certificate.isEmpty()) {
        return Optional.empty();
      }
      PrivateKey key = Pem.readPrivateKey(Files.readString(stateDir.resolve(AgentCredentials.KEY_FILE)), "EC");
      List<X509Certificate> ca = Pem.readCertificates(Files.readString(stateDir.resolve(AgentCredentials.CA_FILE)));
      if (ca.isEmpty()) {
        throw new GeneralSecurityException(AgentCredentials.CA_FILE + " holds no certificate");
      }
      return Optional.of(new Credentials(key, certificate.get(), ca.get(0)));
    }
  }

  /** {@code host:port} or {@code [v6]:port}. */
  record HostPort(String host, int port) {
    static HostPort parse(String text) {
      String s = text.strip();
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw new IllegalArgumentException("not HOST:PORT: " + text);
      }
      String host = s.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostPort(host, Integer.parseInt(s.substring(colon + 1)));
    }

    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }
}
