package io.labscan.agent.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import io.labscan.agent.config.AgentConfig;
import io.labscan.agent.config.ConfigLoader;
import io.labscan.agent.state.HostIdentity;
import io.labscan.agent.trust.AgentCredentials;
import io.labscan.contract.doctor.DoctorReport;
import io.labscan.contract.doctor.Finding;
import io.labscan.contract.trust.Certificates;
import io.labscan.contract.trust.TlsManagers;
import io.labscan.contract.enrolment.EnrolmentToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentDoctorTest {
  static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");
  static final Duration PROBE = Duration.ofSeconds(2);

  @TempDir Path dir;

  private final AgentDoctor doctor = new AgentDoctor(Clock.fixed(NOW, ZoneOffset.UTC), PROBE);
  /** The key and certificate {@link #enrolled} made. */
  private KeyPair keys;
  private X509Certificate certificate;

  @Test
  void aFreshInstallationsMistakesAreEachNamedWithTheCommandThatFixesThem() throws Exception {
    int closed = closedPort();
    Path config = Files.writeString(dir.resolve("agent.yaml"), "controller: 127.0.0.1:" + closed + "\n"
        + "enroll: 127.0.0.1:" + closed + "\n"
        + "token: " + EnrolmentToken.generate("A".repeat(43)).text() + "\n"
        + "stateDir: " + dir.resolve("missing-state") + "\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

    List<Finding> findings = doctor.examine(ConfigLoader.load(config), Optional.of(config));

    assertThat(problems(findings)).containsExactly(
        config + " holds an enrolment token and other accounts can read it\n  fix: chmod 600 " + config,
        "the state folder " + dir.resolve("missing-state") + " does not exist\n  fix: sudo install -d -m 0750 "
            + dir.resolve("missing-state") + " (the .deb and install.sh create it)",
        "cannot reach the controller at 127.0.0.1:" + closed,
        "cannot reach the enrolment port 127.0.0.1:" + closed);
    assertThat(print(findings)).endsWith("4 problems found.\n");
    assertThat(DoctorReport.print(findings, new PrintStream(OutputStream.nullOutputStream())))
        .isEqualTo(DoctorReport.EXIT_PROBLEMS);
  }

  @Test
  void anAgentWithoutCertificateOrTokenIsToldHowToEnrol() throws IOException {
    AgentConfig config = new AgentConfig(Optional.empty(), false, Files.createDirectories(dir.resolve("state")), "",
        Path.of("/"), Optional.empty(), Optional.empty());

    List<Finding> findings = doctor.examine(config, Optional.empty());

    assertThat(problems(findings)).containsExactly(
        "no controller address in /etc/labscan/agent.yaml\n  fix: labscan-agent-setup --controller HOST:PORT "
            + "--token TOKEN (or add 'controller: HOST:PORT' to /etc/labscan/agent.yaml)",
        "not enrolled (no agent.crt in " + dir.resolve("state") + ") and no token in /etc/labscan/agent.yaml\n"
            + "  fix: labscan-agent enroll --config /etc/labscan/agent.yaml --token-file TOKEN_FILE"
            + " (a token from: labscan-controller enroll-token --db DB)");
  }

  @Test
  void aCertificateNotValidYetSaysThisMachinesClockIsBehindTheControllers() throws Exception {
    Path state = enrolled(NOW.plus(Duration.ofHours(3)), NOW.plus(Duration.ofDays(365)));

    List<Finding> findings = doctor.examine(config(state, closedPort()), Optional.empty());

    assertThat(problems(findings)).anySatisfy(p -> assertThat(p)
        .startsWith("the agent certificate is not valid until 2026-12-07 12:00 UTC: this machine's clock "
            + "(2026-12-07 09:00 UTC) is behind the clock of the machine that issued it")
        .endsWith("fix: set this machine's clock (timedatectl set-ntp true), then check again"));
  }

  @Test
  void anEndedCertificateIsAProblemFixedByEnrollingAgain() throws Exception {
    Path state = enrolled(NOW.minus(Duration.ofDays(400)), NOW.minus(Duration.ofDays(2)));

    List<Finding> findings = doctor.examine(config(state, closedPort()), Optional.empty());

    assertThat(problems(findings)).anySatisfy(p -> assertThat(p)
        .startsWith("the agent certificate ended on 2026-12-05 09:00 UTC")
        .endsWith("fix: labscan-agent enroll --config /etc/labscan/agent.yaml --token-file TOKEN_FILE --force"));
  }

  @Test
  void aControllerAddressThatDoesNotSpeakTlsFailsTheHandshakeCheck() throws Exception {
    Path state = enrolled(NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(300)));
    try (ServerSocket http = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> {
        try (Socket s = http.accept()) {
          s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // the doctor hung up first
        }
      });
      server.setDaemon(true);
      server.start();

      List<Finding> findings = doctor.examine(config(state, http.getLocalPort()), Optional.empty());
      server.join(PROBE.toMillis() * 2);

      assertThat(findings).extracting(Finding::what)
          .contains("the controller at 127.0.0.1:" + http.getLocalPort() + " accepts TCP connections");
      assertThat(problems(findings)).singleElement().satisfies(p -> assertThat(p)
          .startsWith("the TLS handshake with the controller at 127.0.0.1:" + http.getLocalPort() + " failed: ")
          .contains("is that the controller this agent enrolled with"));
    }
  }

  @Test
  void withSeveralControllersOneThatCannotBeReachedIsAWarningNamingItWhileAnotherWorks() throws Exception {
    Path state = enrolled(NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(300)));
    int dead = closedPort();
    try (TlsController live = new TlsController()) {
      AgentConfig config = config(state, "127.0.0.1:" + dead + ",127.0.0.1:" + live.port());
      // A TLS handshake on a machine shared with other builds may take seconds: a generous bound (a refusal is immediate).
      AgentDoctor patient = new AgentDoctor(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(20));

      List<Finding> findings = patient.examine(config, Optional.empty());

      assertThat(problems(findings)).isEmpty();
      assertThat(findings).filteredOn(f -> f.level() == Finding.Level.WARNING).singleElement()
          .satisfies(w -> assertThat(w.what())
              .startsWith("cannot reach the controller at 127.0.0.1:" + dead + " (")
              .endsWith("): the agent uses the other controllers meanwhile (1 of 2 work)"));
      assertThat(findings).extracting(Finding::what).contains(
          "the controller at 127.0.0.1:" + live.port() + " accepts TCP connections",
          "TLS with the controller at 127.0.0.1:" + live.port() + " works: its certificate is signed by the pinned CA");
      assertThat(DoctorReport.print(findings, new PrintStream(OutputStream.nullOutputStream())))
          .isEqualTo(DoctorReport.EXIT_HEALTHY);
    }
  }

  @Test
  void whenNoneOfSeveralControllersCanBeReachedEachIsAProblem() throws Exception {
    Path state = enrolled(NOW.minus(Duration.ofDays(10)), NOW.plus(Duration.ofDays(300)));
    int first = closedPort();
    int second = closedPort();

    List<Finding> findings = doctor.examine(config(state, "127.0.0.1:" + first + ",127.0.0.1:" + second),
        Optional.empty());

    assertThat(problems(findings)).containsExactly(
        "cannot reach the controller at 127.0.0.1:" + first, "cannot reach the controller at 127.0.0.1:" + second);
  }

  @Test
  void aNameWithSeveralAddressesIsProbedAtEachAddressAsTheAgentDialsThem() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    try (ServerSocket live = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
      String name = "controllers.labscan.test";
      AgentDoctor withDns = new AgentDoctor(Clock.fixed(NOW, ZoneOffset.UTC), PROBE, host -> {
        if (!host.equals(name)) {
          throw new java.net.UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")};
      });
      AgentConfig config = new AgentConfig(Optional.of(name + ":" + live.getLocalPort()), true, state, "",
          Path.of("/"), Optional.empty(), Optional.empty());

      List<Finding> findings = withDns.examine(config, Optional.empty());

      assertThat(problems(findings)).isEmpty();
      assertThat(findings).extracting(Finding::what)
          .contains("the controller at " + name + ":" + live.getLocalPort() + " (127.0.0.1) accepts TCP connections")
          .anySatisfy(w -> assertThat(w).startsWith(
              "cannot reach the controller at " + name + ":" + live.getLocalPort() + " (127.0.0.2) ("));
    }
  }

  /**
   * A controller's TLS port: the self-signed certificate of {@link #enrolled} serves as CA, server
   * certificate and client certificate, which is all the handshake check needs; client certificate required.
   */
  private final class TlsController implements AutoCloseable {
    private final SSLServerSocket socket;

    TlsController() throws Exception {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {TlsManagers.keyManager(keys.getPrivate(), certificate)},
          new TrustManager[] {TlsManagers.trustManager(certificate)}, null);
      socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
      socket.setNeedClientAuth(true);
      Thread accept = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            SSLSocket s = (SSLSocket) socket.accept();
            Thread handshake = new Thread(() -> {
              try (s) {
                s.setSoTimeout(20_000);
                s.startHandshake();
              } catch (IOException e) {
                // a TCP probe that hung up
              }
            }, "tls-controller-handshake");
            handshake.setDaemon(true);
            handshake.start();
          } catch (IOException e) {
            // the socket closed
          }
        }
      }, "tls-controller");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** What the user reads for each problem: the finding, and its fix on the next line. */
  private static List<String> problems(List<Finding> findings) {
    return findings.stream().filter(f -> f.level() == Finding.Level.PROBLEM)
        .map(f -> f.what().startsWith("cannot reach") ? f.what().substring(0, f.what().indexOf(" (")) // OS wording varies
            : f.what() + f.fix().map(x -> "\n  fix: " + x).orElse(""))
        .toList();
  }

  private static String print(List<Finding> findings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DoctorReport.print(findings, new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }

  private static AgentConfig config(Path state, int port) {
    return config(state, "127.0.0.1:" + port);
  }

  private static AgentConfig config(Path state, String controllers) {
    return new AgentConfig(Optional.of(controllers), false, state, "", Path.of("/"), Optional.empty(),
        Optional.empty());
  }

  /** A state folder with credentials whose certificate (self-signed: enough here) runs from..until. */
  private Path enrolled(Instant from, Instant until) throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    String host = HostIdentity.loadOrCreate(state);
    keys = Certificates.newKeyPair();
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
        Certificates.commonNameSubject(host), BigInteger.TEN, Date.from(from), Date.from(until),
        Certificates.commonNameSubject(host), keys.getPublic())
        .build(new JcaContentSignerBuilder(Certificates.SIGNATURE).build(keys.getPrivate())));
    new AgentCredentials(keys.getPrivate(), cert, cert).save(state);
    certificate = cert;
    return state;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
